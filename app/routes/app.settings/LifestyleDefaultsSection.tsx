import { useState } from "react";
import { BlockStack, Card, ChoiceList, InlineError, Layout, Select, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { PresetPicker } from "~/components/PresetPicker";
import { FORMAT_CHOICES } from "~/models/constants";
import type { FieldMessages, SettingsData } from "./types";
// The lifestyle defaults: the scene preset, how many scenes, ratio, size and file format.
export function LifestyleDefaultsSection({
  options,
  presets,
  ratios,
  errors,
}: {
  options: SettingsData["settings"]["lifestyleOptions"];
  presets: SettingsData["presets"];
  ratios: SettingsData["ratios"];
  errors: FieldMessages;
}) {
  const t = useT();
  const [lifestyle, setLifestyle] = useState({ ...options, size: String(options.size) });
  const ratioOptions = ratios.map((ratio) => ({ label: ratio, value: ratio }));
  return (
    <Layout.AnnotatedSection title={t("settings.lifestyle.title")} description={t("settings.lifestyle.description")}>
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <input type="hidden" name="lifestyleOptions.preset" value={lifestyle.preset} />
            <PresetPicker presets={presets} value={lifestyle.preset} onChange={(preset) => setLifestyle({ ...lifestyle, preset })} />
            {errors["lifestyleOptions.preset"] && (
              <InlineError message={errors["lifestyleOptions.preset"]} fieldID="lifestyleOptions.preset" />
            )}
          </BlockStack>
          <ChoiceList
            title={t("settings.count.label")}
            name="lifestyleOptions.count"
            choices={[2, 3].map((count) => ({ label: t("settings.count.option", { count }), value: String(count) }))}
            selected={[String(lifestyle.count)]}
            onChange={(value) => setLifestyle({ ...lifestyle, count: Number(value[0]) as 2 | 3 })}
            error={errors["lifestyleOptions.count"]}
          />
          <Select
            label={t("new.ratio")}
            name="lifestyleOptions.ratio"
            options={ratioOptions}
            value={lifestyle.ratio}
            onChange={(ratio) => setLifestyle({ ...lifestyle, ratio: ratio as typeof lifestyle.ratio })}
            error={errors["lifestyleOptions.ratio"]}
          />
          <TextField
            label={t("new.size")}
            name="lifestyleOptions.size"
            type="number"
            min={1000}
            max={4096}
            step={1}
            value={lifestyle.size}
            onChange={(size) => setLifestyle({ ...lifestyle, size })}
            helpText={t("settings.size.help")}
            error={errors["lifestyleOptions.size"]}
            autoComplete="off"
          />
          <Select
            label={t("new.format")}
            name="lifestyleOptions.format"
            options={FORMAT_CHOICES}
            value={lifestyle.format}
            onChange={(format) => setLifestyle({ ...lifestyle, format: format as typeof lifestyle.format })}
            error={errors["lifestyleOptions.format"]}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

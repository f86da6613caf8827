import { useState } from "react";
import { BlockStack, Card, Checkbox, Layout, RangeSlider, Select, Text, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { FORMAT_CHOICES } from "~/models/constants";
import type { FieldMessages, SettingsData } from "./types";
// The white-background defaults: size, ratio, fill, shadow and file format.
export function WhiteDefaultsSection({
  options,
  ratios,
  errors,
}: {
  options: SettingsData["settings"]["whiteOptions"];
  ratios: SettingsData["ratios"];
  errors: FieldMessages;
}) {
  const t = useT();
  const [white, setWhite] = useState({ ...options, size: String(options.size) });
  // The slider shows percent; the form sends the same number and the schema reads it as a share.
  const [fill, setFill] = useState(Math.round(options.fill * 100));
  const ratioOptions = ratios.map((ratio) => ({ label: ratio, value: ratio }));
  return (
    <Layout.AnnotatedSection title={t("settings.white.title")} description={t("settings.white.description")}>
      <Card>
        <BlockStack gap="400">
          <TextField
            label={t("new.size")}
            name="whiteOptions.size"
            type="number"
            min={1000}
            max={4096}
            step={1}
            value={white.size}
            onChange={(size) => setWhite({ ...white, size })}
            helpText={t("settings.size.help")}
            error={errors["whiteOptions.size"]}
            autoComplete="off"
          />
          <Select
            label={t("new.ratio")}
            name="whiteOptions.ratio"
            options={ratioOptions}
            value={white.ratio}
            onChange={(ratio) => setWhite({ ...white, ratio: ratio as typeof white.ratio })}
            error={errors["whiteOptions.ratio"]}
          />
          <input type="hidden" name="whiteOptions.fill" value={fill} />
          <RangeSlider
            label={t("new.fill")}
            min={75}
            max={95}
            value={fill}
            onChange={(value) => setFill(Number(value))}
            suffix={<Text as="span">{fill}%</Text>}
            helpText={t("settings.fill.help")}
            error={errors["whiteOptions.fill"]}
          />
          <Checkbox
            label={t("new.shadow")}
            name="whiteOptions.shadow"
            value="true"
            checked={white.shadow}
            onChange={(shadow) => setWhite({ ...white, shadow })}
            helpText={t("settings.shadow.help")}
            error={errors["whiteOptions.shadow"]}
          />
          <Select
            label={t("new.format")}
            name="whiteOptions.format"
            options={FORMAT_CHOICES}
            value={white.format}
            onChange={(format) => setWhite({ ...white, format: format as typeof white.format })}
            error={errors["whiteOptions.format"]}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

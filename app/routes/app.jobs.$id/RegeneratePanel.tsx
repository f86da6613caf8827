import { useState } from "react";
import { useSubmit } from "@remix-run/react";
import { BlockStack, Box, Button, Checkbox, InlineStack, RangeSlider, Select, Text, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { PresetPicker, type PresetChoice } from "~/components/PresetPicker";
import type { LifestyleOptions, WhiteOptions } from "~/studio";

/** A job's stored options: one mode's, as the engine defines them (older jobs may lack some). */
export type JobOptions = Partial<WhiteOptions & LifestyleOptions>;

const RATIOS = ["1:1", "4:5", "3:4", "4:3", "2:3", "3:2", "16:9", "9:16"].map((r) => ({ label: r, value: r }));

// Another try from the same photos with some options changed. The new job gets its own page; this
// one and its results stay untouched.
export function RegeneratePanel({
  id,
  mode,
  options,
  presets,
  busy,
  onClose,
}: {
  id: string;
  mode: string;
  options: JobOptions;
  presets: PresetChoice[];
  busy: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const submit = useSubmit();
  const [fill, setFill] = useState(Math.round((options.fill ?? 0.85) * 100));
  const [shadow, setShadow] = useState(options.shadow !== false);
  const [ratio, setRatio] = useState<string>(options.ratio ?? (mode === "white" ? "1:1" : "4:5"));
  const [preset, setPreset] = useState<string>(options.preset ?? presets[0]?.value ?? "");
  const [style, setStyle] = useState(options.style ?? "");
  const [count, setCount] = useState(String(options.count ?? 3));

  const onRegenerate = () => {
    const changes = mode === "white" ? { fill: fill / 100, shadow, ratio } : { preset, style, count: Number(count), ratio };
    submit({ intent: "regenerate", options: JSON.stringify(changes) }, { method: "post" });
  };

  return (
    <div id={id}>
      <Box padding="300" background="bg-surface-secondary" borderRadius="200">
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {t("job.regenerate.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("job.regenerate.help")}
          </Text>
          {mode === "white" ? (
            <>
              <RangeSlider label={t("new.fill")} min={75} max={95} value={fill} onChange={(v) => setFill(Number(v))} output />
              <Checkbox label={t("new.shadow")} checked={shadow} onChange={setShadow} />
            </>
          ) : (
            <>
              <PresetPicker presets={presets} value={preset} onChange={setPreset} />
              <TextField label={t("new.style")} value={style} onChange={setStyle} multiline={2} maxLength={500} autoComplete="off" />
              <Select label={t("new.count")} options={["2", "3"]} value={count} onChange={setCount} />
            </>
          )}
          <Select label={t("new.ratio")} options={RATIOS} value={ratio} onChange={setRatio} />
          <InlineStack gap="200">
            <Button variant="primary" onClick={onRegenerate} loading={busy}>
              {t("job.regenerate.submit")}
            </Button>
            <Button onClick={onClose}>{t("job.regenerate.close")}</Button>
          </InlineStack>
        </BlockStack>
      </Box>
    </div>
  );
}

import { useMemo, useState } from "react";
import { BlockStack, Button, Card, Checkbox, ChoiceList, RangeSlider, Select, TextField } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import { PresetPicker } from "~/components/PresetPicker";
import { useProviderName } from "~/hooks/useProviderName";
import { FORMAT_CHOICES } from "~/models/constants";
import type { GenerationOptions, Mode, NewGenerationData } from "./types";

// What to make: the mode, the provider (when more than one is configured) and the mode's options,
// starting from the shop's defaults (Settings). It keeps its own state and hands the choice to
// `onGenerate` when the merchant presses Generate.
export function OptionsCard({
  settings,
  providers,
  presets,
  ratios,
  errors,
  disabled,
  submitting,
  onGenerate,
}: Pick<NewGenerationData, "settings" | "providers" | "presets" | "ratios"> & {
  errors: Record<string, string>;
  disabled: boolean;
  submitting: boolean;
  onGenerate: (choice: { mode: Mode; provider: string; options: GenerationOptions }) => void;
}) {
  const t = useT();
  const providerName = useProviderName();
  const { whiteDefaults, lifestyleDefaults } = settings;
  const [mode, setMode] = useState<Mode>((settings.defaultMode as Mode) ?? "white");
  const [provider, setProvider] = useState<string>(settings.provider ?? providers[providers.length - 1] ?? "local");
  const modeDefaults = mode === "white" ? whiteDefaults : lifestyleDefaults;
  const [size, setSize] = useState(String(modeDefaults.size));
  const [ratio, setRatio] = useState<string>(modeDefaults.ratio);
  const [fill, setFill] = useState(Math.round(whiteDefaults.fill * 100));
  const [shadow, setShadow] = useState(whiteDefaults.shadow);
  const [topView, setTopView] = useState(whiteDefaults.topView);
  const [format, setFormat] = useState<string>(modeDefaults.format);
  const [preset, setPreset] = useState(lifestyleDefaults.preset);
  const [style, setStyle] = useState("");
  const [count, setCount] = useState(String(lifestyleDefaults.count));

  const options = useMemo<GenerationOptions>(
    () =>
      mode === "white"
        ? { size: Number(size), ratio, fill: fill / 100, shadow, format, topView }
        : { size: Number(size), ratio, format, preset, style, count: Number(count) },
    [mode, size, ratio, fill, shadow, format, topView, preset, style, count],
  );

  return (
    <Card>
      <BlockStack gap="400">
        <ChoiceList
          title={t("new.mode.label")}
          choices={[
            { label: t("new.mode.white.label"), value: "white", helpText: t("new.mode.white.help") },
            { label: t("new.mode.lifestyle.label"), value: "lifestyle", helpText: t("new.mode.lifestyle.help") },
          ]}
          selected={[mode]}
          onChange={(value) => {
            const next = value[0] as Mode;
            setMode(next);
            setRatio(next === "white" ? whiteDefaults.ratio : lifestyleDefaults.ratio);
          }}
        />
        {providers.length > 1 && (
          <Select
            label={t("settings.provider.label")}
            options={providers.map((name) => ({ label: providerName(name), value: name }))}
            value={provider}
            onChange={setProvider}
          />
        )}
        {mode === "white" ? (
          <>
            <RangeSlider label={t("new.fill")} min={75} max={95} value={fill} onChange={(v) => setFill(Number(v))} output />
            <Checkbox label={t("new.shadow")} checked={shadow} onChange={setShadow} />
            <Checkbox label={t("new.topView")} checked={topView} onChange={setTopView} />
          </>
        ) : (
          <>
            <PresetPicker presets={presets} value={preset} onChange={setPreset} />
            <Select label={t("new.count")} options={["2", "3"]} value={count} onChange={setCount} />
            <TextField
              label={t("new.style")}
              value={style}
              onChange={setStyle}
              multiline={3}
              maxLength={500}
              autoComplete="off"
              error={errors.style}
            />
          </>
        )}
        <Select label={t("new.ratio")} options={ratios.map((r) => ({ label: r, value: r }))} value={ratio} onChange={setRatio} />
        <TextField
          label={t("new.size")}
          type="number"
          min={1000}
          max={4096}
          value={size}
          onChange={setSize}
          autoComplete="off"
          error={errors.size}
        />
        <Select label={t("new.format")} options={FORMAT_CHOICES} value={format} onChange={setFormat} />
        <Button
          variant="primary"
          size="large"
          onClick={() => onGenerate({ mode, provider, options })}
          loading={submitting}
          disabled={disabled}
        >
          {t("new.generate")}
        </Button>
      </BlockStack>
    </Card>
  );
}

import { Text } from "@shopify/polaris";
import { useT, type MessageKey } from "~/i18n/index";
import type { PresetName } from "~/studio/options";

export interface PresetChoice {
  value: PresetName;
  description: string;
  image: string;
}

// A radio group drawn as preview cards: arrow keys move between presets, as in any radio group.
export function PresetPicker({
  presets,
  value,
  onChange,
}: {
  presets: PresetChoice[];
  value: string;
  onChange: (value: PresetName) => void;
}) {
  const t = useT();
  return (
    <fieldset style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
      <style>
        {".preset-card:has(input:focus-visible){outline:2px solid var(--p-color-border-focus)!important;outline-offset:1px!important}"}
      </style>
      <legend style={{ padding: 0, marginBottom: 4 }}>
        <Text as="span" variant="bodyMd">
          {t("new.preset")}
        </Text>
      </legend>
      <Text as="p" tone="subdued" variant="bodySm">
        {t("new.presetHelp")}
      </Text>
      <div style={{ display: "grid", gridTemplateColumns: "repeat(3, minmax(0, 1fr))", gap: 8, marginTop: 8 }}>
        {presets.map((preset) => {
          const label = t(`preset.${preset.value}` as MessageKey);
          const checked = preset.value === value;
          return (
            <label
              key={preset.value}
              className="preset-card"
              title={preset.description}
              data-testid={`preset-${preset.value}`}
              style={{
                display: "block",
                cursor: "pointer",
                borderRadius: 8,
                padding: 3,
                outline: checked ? "2px solid var(--p-color-border-emphasis)" : "1px solid var(--p-color-border)",
                outlineOffset: checked ? 0 : -1,
              }}
            >
              <input
                type="radio"
                name="preset"
                value={preset.value}
                checked={checked}
                onChange={() => onChange(preset.value)}
                style={{ position: "absolute", opacity: 0, width: 1, height: 1 }}
              />
              <img
                src={preset.image}
                alt=""
                width={240}
                height={300}
                style={{ display: "block", width: "100%", height: "auto", borderRadius: 6 }}
              />
              <span style={{ display: "block", fontSize: 12, lineHeight: "16px", padding: "4px 2px 2px", fontWeight: checked ? 650 : 450 }}>
                {label}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

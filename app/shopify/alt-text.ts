// Alt text of published images, from the shop's template, in the shop's primary language (shoppers read
// it, so it follows the shop, not the admin user). Shared by the publisher and by the settings page, whose
// live preview must show exactly what will be written.

export const ALT_TEXT_PLACEHOLDERS = ["{title}", "{mode}"] as const;

export type ShopLanguage = "en" | "zh-TW";

const MODE_LABELS: Record<ShopLanguage, Record<string, string>> = {
  en: { white: "white background", lifestyle: "lifestyle photo" },
  "zh-TW": { white: "白底圖", lifestyle: "情境照" },
};

/** The built-in template in each language; a shop that never changed it gets the one of its language. */
export const DEFAULT_ALT_TEXT_TEMPLATES: Record<ShopLanguage, string> = {
  en: "{title} – {mode}",
  "zh-TW": "{title}（{mode}）",
};

/**
 * The app's language for a shop locale (ISO code from `shopLocales`): Traditional Chinese for zh-TW,
 * zh-HK, zh-MO and zh-Hant; English otherwise, including Simplified Chinese, which the app does not speak.
 */
export function shopLanguage(locale: string | null | undefined): ShopLanguage {
  return /^zh-(TW|HK|MO|Hant)\b/i.test(locale ?? "") ? "zh-TW" : "en";
}

/** A stored built-in template (in any language) means "the default": it follows the shop's language. */
export function altTextTemplateFor(stored: string, language: ShopLanguage): string {
  return Object.values(DEFAULT_ALT_TEXT_TEMPLATES).includes(stored) ? DEFAULT_ALT_TEXT_TEMPLATES[language] : stored;
}

export function altTextModeLabel(mode: string, language: ShopLanguage): string {
  return MODE_LABELS[language][mode] ?? mode;
}

export function renderAltText(template: string, values: { title: string; mode: string; language: ShopLanguage }): string {
  return altTextTemplateFor(template, values.language)
    .replaceAll("{title}", values.title)
    .replaceAll("{mode}", altTextModeLabel(values.mode, values.language))
    .slice(0, 512);
}

/** Placeholders in the template that nothing fills in (they would reach the storefront as typed). */
export function unknownPlaceholders(template: string): string[] {
  const found = template.match(/\{[^{}]*\}/g) ?? [];
  return [...new Set(found.filter((p) => !(ALT_TEXT_PLACEHOLDERS as readonly string[]).includes(p)))];
}

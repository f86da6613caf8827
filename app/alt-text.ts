// Alt text of published images, from the shop's template. Shared by the publisher and by the settings
// page, whose live preview must show exactly what will be written.

export const ALT_TEXT_PLACEHOLDERS = ["{title}", "{mode}"] as const;

export const ALT_TEXT_MODE_LABELS: Record<string, string> = { white: "white background", lifestyle: "lifestyle photo" };

export function renderAltText(template: string, values: { title: string; mode: string }): string {
  return template.replaceAll("{title}", values.title).replaceAll("{mode}", values.mode).slice(0, 512);
}

/** Placeholders in the template that nothing fills in (they would reach the storefront as typed). */
export function unknownPlaceholders(template: string): string[] {
  const found = template.match(/\{[^{}]*\}/g) ?? [];
  return [...new Set(found.filter((p) => !(ALT_TEXT_PLACEHOLDERS as readonly string[]).includes(p)))];
}

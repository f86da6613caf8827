import { describe, expect, it } from "vitest";
import { altTextTemplateFor, renderAltText, shopLanguage } from "./alt-text";

describe("alt text in the shop's language", () => {
  it.each([
    ["zh-TW", "zh-TW"],
    ["zh-HK", "zh-TW"],
    ["zh-Hant-MO", "zh-TW"],
    ["zh-CN", "en"],
    ["en", "en"],
    ["fr", "en"],
  ])("maps the shop locale %s to %s", (locale, language) => {
    expect(shopLanguage(locale)).toBe(language);
  });

  it("renders the built-in template and {mode} in the shop's language, whichever language's default was stored", () => {
    const values = { title: "Ceramic mug", mode: "lifestyle" };
    expect(renderAltText("{title} – {mode}", { ...values, language: "en" })).toBe("Ceramic mug – lifestyle photo");
    expect(renderAltText("{title} – {mode}", { ...values, language: "zh-TW" })).toBe("Ceramic mug（情境照）");
    expect(renderAltText("{title}（{mode}）", { ...values, language: "en" })).toBe("Ceramic mug – lifestyle photo");
  });

  it("keeps a merchant's own template as typed, filling {mode} in the shop's language", () => {
    expect(altTextTemplateFor("{mode}: {title}", "zh-TW")).toBe("{mode}: {title}");
    expect(renderAltText("{mode}: {title}", { title: "馬克杯", mode: "white", language: "zh-TW" })).toBe("白底圖: 馬克杯");
  });
});

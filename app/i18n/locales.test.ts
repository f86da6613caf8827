import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { localeOf, resolveLocale, translate } from "~/i18n/index";

// Every locale file of the repository, the app's and each extension's, in Shopify's format: the same
// keys in every language, the same {{values}}, and exactly the plural forms each language has.

const ROOT = path.resolve(__dirname, "../..");
type Messages = { [key: string]: string | Messages };

const PLURAL_FORMS = new Set(["zero", "one", "two", "few", "many", "other", "0", "1"]);

function isPlural(value: string | Messages): value is Record<string, string> {
  return typeof value === "object" && typeof value.other === "string" && Object.keys(value).every((form) => PLURAL_FORMS.has(form));
}

/** Each message by its dotted key: a string, or its plural forms. */
function flatten(messages: Messages, prefix = ""): Map<string, string | Record<string, string>> {
  const out = new Map<string, string | Record<string, string>>();
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === "string" || isPlural(value)) out.set(`${prefix}${key}`, value);
    else for (const [inner, message] of flatten(value, `${prefix}${key}.`)) out.set(inner, message);
  }
  return out;
}

function placeholders(message: string | Record<string, string>): string[] {
  const texts = typeof message === "string" ? [message] : Object.values(message);
  const names = new Set(texts.flatMap((text) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((found) => found[1])));
  // A plural message is chosen by its count; a language may leave the number itself unsaid.
  if (typeof message !== "string") names.delete("count");
  return [...names].sort();
}

const SETS = [
  { name: "app", dir: "app/locales", files: { en: "en.json", "zh-TW": "zh-TW.json" } },
  ...readdirSync(path.join(ROOT, "extensions"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(path.join(ROOT, "extensions", entry.name)).includes("locales"))
    .map((entry) => ({
      name: entry.name,
      dir: `extensions/${entry.name}/locales`,
      files: { en: "en.default.json", "zh-TW": "zh-TW.json" },
    })),
];

describe.each(SETS)("the $name locale files", ({ dir, files }) => {
  const load = (file: string) => flatten(JSON.parse(readFileSync(path.join(ROOT, dir, file), "utf8")) as Messages);
  const en = load(files.en);
  const zh = load(files["zh-TW"]);

  test("have the same keys in English and Traditional Chinese", () => {
    expect(en.size).toBeGreaterThan(0);
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
  });

  test("use the same placeholders in both languages", () => {
    const differ = [...en].filter(([key, message]) => zh.has(key) && placeholders(zh.get(key)!).join() !== placeholders(message).join());
    expect(differ.map(([key]) => key)).toEqual([]);
  });

  test("give each plural message the forms its language needs, in both languages", () => {
    for (const [locale, messages] of [
      ["en", en],
      ["zh-TW", zh],
    ] as const) {
      const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.slice().sort();
      for (const [key, message] of messages) {
        const other = locale === "en" ? zh.get(key) : en.get(key);
        // A plural in one language is a plural in the other (a missing key is the first test's finding).
        if (other === undefined) continue;
        expect(typeof message === "string", `${key} in ${locale}`).toBe(typeof other === "string");
        if (typeof message === "string") continue;
        const forms = Object.keys(message).filter((form) => !/^\d$/.test(form));
        expect(forms.sort(), `${key} in ${locale}`).toEqual(needed);
      }
    }
  });

  test("write values as {{name}}, never a single-brace {name} that the plugin would also fill", () => {
    const single = [...en, ...zh].filter(([, message]) =>
      (typeof message === "string" ? [message] : Object.values(message)).some((text) => /(^|[^{])\{\w+\}(?!\})/.test(text)),
    );
    expect(single.map(([key]) => key)).toEqual([]);
  });
});

describe("rendering a message", () => {
  test("chooses the plural form by count, in each language", () => {
    expect(translate("en", "home.usage", { count: 1 })).toBe("This month: 1 image made");
    expect(translate("en", "home.usage", { count: 3 })).toBe("This month: 3 images made");
    expect(translate("zh-TW", "home.usage", { count: 3 })).toBe("本月：已製作 3 張圖片");
  });

  test("fills values, and leaves text that only looks like one when it is passed as a value", () => {
    expect(translate("en", "settings.providers.model", { model: "gemini-3-pro-image" })).toBe("Model: gemini-3-pro-image");
    expect(translate("en", "settings.altText.unknown", { list: "{price}", title: "{title}", mode: "{mode}" })).toBe(
      "{price} will not be filled in. Use {title} and {mode}.",
    );
  });
});

describe("the merchant's language", () => {
  test("comes from the admin's ?locale=, then from Accept-Language, else English", () => {
    const request = (query: string, acceptLanguage?: string) =>
      new Request(`https://app.example/app${query}`, acceptLanguage ? { headers: { "Accept-Language": acceptLanguage } } : {});
    expect(localeOf(request("?locale=zh-TW"))).toBe("zh-TW");
    // The admin's choice wins over the browser's.
    expect(localeOf(request("?locale=en", "zh-TW"))).toBe("en");
    expect(localeOf(request("?locale=fr", "zh-TW"))).toBe("en");
    expect(localeOf(request("", "fr-FR;q=0.9, zh-Hant-TW;q=0.8, en;q=0.5"))).toBe("zh-TW");
    expect(localeOf(request("", "not a language tag, ???"))).toBe("en");
    expect(localeOf(request(""))).toBe("en");
  });

  test("is Traditional Chinese for any Chinese, the only Chinese the app has", () => {
    expect(resolveLocale("zh-CN")).toBe("zh-TW");
    expect(resolveLocale("zh-HK")).toBe("zh-TW");
    expect(resolveLocale("zh")).toBe("zh-TW");
    expect(resolveLocale("en-GB")).toBe("en");
    expect(resolveLocale("ja")).toBe("en");
  });
});

describe("a failed job's messages", () => {
  test("give every failure code with a hint its own title, so the banner is in the merchant's language", () => {
    const en = JSON.parse(readFileSync(path.join(ROOT, "app/locales/en.json"), "utf8")) as { job: { hint: Messages; failure: Messages } };
    expect(Object.keys(en.job.hint).length).toBeGreaterThan(20);
    expect(Object.keys(en.job.failure).sort()).toEqual(Object.keys(en.job.hint).sort());
  });
});

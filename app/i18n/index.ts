import { createContext, useCallback, useContext } from "react";
import i18next from "i18next";
import ShopifyFormat from "@shopify/i18next-shopify";
import { match } from "@formatjs/intl-localematcher";
import en from "~/locales/en.json";
import zhTW from "~/locales/zh-TW.json";

// The app's words live in app/locales/*.json, in Shopify's format, the one the extensions' locales use
// too: nested keys, {{name}} values, and plural forms by `count` as the language needs them ("one" and
// "other" in English, "other" alone in Chinese). i18next renders them through Shopify's own plugin.

export const LOCALES = ["en", "zh-TW"] as const;
export type Locale = (typeof LOCALES)[number];

// The keys of en.json as dotted paths; a plural entry ({one, other}) is one key.
type Keys<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string
    ? `${Prefix}${K}`
    : T[K] extends { other: string }
      ? `${Prefix}${K}`
      : Keys<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type MessageKey = Keys<typeof en>;
export type MessageValues = Record<string, string | number>;

/**
 * What the server says to the merchant: a code (a key of `errors` in the locale files) and its values.
 * Pages render it in the merchant's language; the server renders it only for the extensions' fetches.
 */
export type ErrorCode = keyof typeof en.errors;
export interface Message {
  code: ErrorCode;
  values?: MessageValues;
}
/** Messages by form field ("form" for the form as a whole), as every action answers them. */
export type FieldErrors = Record<string, Message>;

const i18n = i18next.createInstance();
// The plugin ships CommonJS with its class on `default`; bundlers hand over either shape.
const format = (ShopifyFormat as { default?: typeof ShopifyFormat }).default ?? ShopifyFormat;
// The resources are inline and initAsync is off, so the texts are ready when init returns.
i18n
  .use(format)
  .init({
    resources: { en: { translation: en }, "zh-TW": { translation: zhTW } },
    lng: "en",
    fallbackLng: "en",
    supportedLngs: [...LOCALES],
    initAsync: false,
    // React escapes what it renders; the texts are never put into HTML by hand.
    interpolation: { escapeValue: false },
  })
  .catch((error: unknown) => console.error("The app's texts could not be loaded", error));

const fixed = Object.fromEntries(LOCALES.map((locale) => [locale, i18n.getFixedT(locale)])) as Record<
  Locale,
  (key: string, values?: MessageValues) => string
>;

export function translate(locale: Locale, key: MessageKey, values: MessageValues = {}): string {
  return fixed[locale](key, values);
}

export function render(locale: Locale, message: Message): string {
  return translate(locale, `errors.${message.code}`, message.values);
}

export function hasMessage(key: string): key is MessageKey {
  return i18n.exists(key, { lng: "en" });
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(en.errors, code);
}

/**
 * The admin passes the merchant's language as `?locale=` (as Shopify's app templates read it); requests
 * without it (the extensions' fetches) fall back to Accept-Language. Traditional Chinese is the only
 * Chinese the app has, so a Simplified Chinese reader gets it rather than English.
 */
export function resolveLocale(...requested: (string | null | undefined)[]): Locale {
  const tags = requested.filter((tag): tag is string => Boolean(tag)).flatMap((tag) => (/^zh\b/i.test(tag) ? [tag, "zh-Hant"] : [tag]));
  try {
    return match(tags, [...LOCALES], "en") as Locale;
  } catch {
    // A malformed tag from a header is not worth a failed page.
    return "en";
  }
}

export function localeOf(request: Request): Locale {
  const fromUrl = new URL(request.url).searchParams.get("locale");
  return fromUrl ? resolveLocale(fromUrl) : resolveLocale(...acceptLanguage(request.headers.get("Accept-Language")));
}

function acceptLanguage(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((param) => /^\s*q=([\d.]+)/.exec(param)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter(({ tag, q }) => tag && tag !== "*" && q > 0)
    .sort((a, b) => b.q - a.q)
    .map(({ tag }) => tag);
}

export const LocaleContext = createContext<Locale>("en");

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

/** The page's translate function, the same function for as long as the locale is (so effects may depend on it). */
export function useT() {
  const locale = useLocale();
  return useCallback((key: MessageKey, values?: MessageValues) => translate(locale, key, values), [locale]);
}

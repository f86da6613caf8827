import { useMemo, useSyncExternalStore } from "react";
import { useLocale } from "~/i18n/index";

const noChanges = () => () => {};

/**
 * Times as the pages show them: to the minute, in the merchant's language and their browser's time
 * zone ("Dec 1, 2026, 8:10 PM", "2026年12月1日 下午8:10"). The server knows neither, so its render, and
 * the browser's hydration of it (which must match), say UTC; the browser's own format follows at once.
 */
export function useFormatTime(): (iso: string) => string {
  const locale = useLocale();
  const inBrowser = useSyncExternalStore(
    noChanges,
    () => true,
    () => false,
  );
  return useMemo(() => {
    if (!inBrowser) return (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
    const format = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
    return (iso: string) => format.format(new Date(iso));
  }, [inBrowser, locale]);
}

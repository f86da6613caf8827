import { hasMessage, useT, type MessageKey } from "~/i18n/index";

/**
 * A failure's title in the merchant's language, by its code (`job.failure.<code>`); the recorded English
 * reason when its code has none. Jobs and outputs record the exact reason in English, with specifics
 * (a size, a model, a limit); the pages lead with the title and show the reason beneath it.
 */
export function useFailureTitle(): (code: string | null | undefined, reason: string) => { title: string; translated: boolean } {
  const t = useT();
  return (code, reason) =>
    code && hasMessage(`job.failure.${code}`)
      ? { title: t(`job.failure.${code}` as MessageKey), translated: true }
      : { title: reason, translated: false };
}

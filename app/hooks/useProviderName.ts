import { useT, type MessageKey } from "~/i18n/index";

/** A provider's name in the merchant's language ("local" → "Offline (on this server)"). */
export function useProviderName(): (name: string) => string {
  const t = useT();
  return (name) => t(`settings.providers.${name}.label` as MessageKey);
}

import { useT, type MessageKey } from "~/i18n/index";

/** A plan's name in the merchant's language, by its id ("free", or one of PAID_PLANS). */
export function usePlanName(): (id: string) => string {
  const t = useT();
  return (id) => t(`billing.plan.${id}` as MessageKey);
}

import { Banner } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BillingData } from "./types";
import { usePlanName } from "./usePlanName";

// What happened since the merchant last looked: Shopify's answer on the approval page (read back from
// Shopify on the way back here), a cancelled plan, and whether the plan is a test charge.
export function BillingNotices({
  notice,
  plan,
  test,
  cancelled,
}: Pick<BillingData, "notice" | "plan" | "test"> & {
  /** Whether the last click cancelled the plan. */
  cancelled: boolean;
}) {
  const t = useT();
  const planName = usePlanName();
  return (
    <>
      {notice === "approved" && <Banner tone="success">{t("billing.approved", { plan: planName(plan) })}</Banner>}
      {notice === "declined" && <Banner tone="warning">{t("billing.declined", { plan: planName(plan) })}</Banner>}
      {notice === "pending" && <Banner tone="info">{t("billing.pending")}</Banner>}
      {cancelled && <Banner tone="info">{t("billing.cancelled")}</Banner>}
      {test && plan !== "free" && <Banner tone="info">{t("billing.test")}</Banner>}
    </>
  );
}

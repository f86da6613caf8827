import { Banner } from "@shopify/polaris";
import { useT } from "~/i18n/index";
import type { BillingData } from "./types";
import { usePlanName } from "./usePlanName";

// What happened since the merchant last looked: Shopify's answer on the approval page for a plan or a
// higher cap (read back from Shopify on the way back here), a cancelled plan, and whether the plan is a test charge.
export function BillingNotices({
  notice,
  plan,
  test,
  cap,
  cancelled,
}: Pick<BillingData, "notice" | "plan" | "test" | "cap"> & {
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
      {notice === "capRaised" && cap !== null && <Banner tone="success">{t("billing.capRaised", { cap })}</Banner>}
      {notice === "capDeclined" && cap !== null && <Banner tone="warning">{t("billing.capDeclined", { cap })}</Banner>}
      {cancelled && <Banner tone="info">{t("billing.cancelled")}</Banner>}
      {test && plan !== "free" && <Banner tone="info">{t("billing.test")}</Banner>}
    </>
  );
}

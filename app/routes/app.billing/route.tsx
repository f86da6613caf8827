import { useEffect } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, type ShouldRevalidateFunction } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { readForm } from "~/infra/request-body.server";
import { useT } from "~/i18n/index";
import { formatCents, imageLimit, PAID_PLANS } from "~/billing/plans";
import { adminApiForSession } from "~/models/admin.server";
import { billingEnabled, confirmPlan, getMonthCharges, type BillingOutcome } from "~/models/billing.server";
import { getUsage } from "~/models/usage.server";
import * as intents from "./actions.server";
import { BillingNotices } from "./BillingNotices";
import { CurrentPlanCard } from "./CurrentPlanCard";
import { PlanChoices } from "./PlanChoices";
import { UsageCard } from "./UsageCard";
import { CapCard } from "./CapCard";

// Plans and billing: choose or change the plan (Shopify's approval page, then back here, where the
// answer is read back from Shopify), this month's usage and charges, and what the cap does. One file per
// card beside this one; actions.server.ts holds the intents (choose a plan, raise the cap, cancel).

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const url = new URL(request.url);
  const api = adminApiForSession(session);
  let notice: BillingOutcome | null = null;
  let billing = null;
  if (billingEnabled()) {
    const confirmed = await confirmPlan(api, shop, url.searchParams.get("charge_id"));
    billing = confirmed.billing;
    notice = confirmed.outcome;
  }
  const [usage, charges] = await Promise.all([getUsage(shop), getMonthCharges(shop)]);
  const plan = billing && billing.plan.id !== "free" ? billing.plan : null;
  const capped = billing?.cappedAmountCents ?? 0;
  return {
    enabled: Boolean(billing),
    notice,
    plan: billing?.plan.id ?? "free",
    test: billing?.test ?? false,
    cap: plan ? imageLimit(plan, capped) : null,
    cappedAmount: plan ? formatCents(capped) : null,
    included: plan?.includedImages ?? 0,
    perImage: plan ? formatCents(plan.pricePerImageCents) : null,
    pendingCapped: billing?.pendingCappedCents && plan ? formatCents(billing.pendingCappedCents) : null,
    plans: PAID_PLANS.map((p) => ({
      id: p.id,
      price: formatCents(p.monthlyPriceCents),
      included: p.includedImages,
      perImage: formatCents(p.pricePerImageCents),
    })),
    usage: { paidImages: usage.paidImages, reserved: usage.reserved, localImages: usage.images - usage.paidImages },
    charges: { ...charges, chargedAmount: formatCents(charges.chargedCents), waitingAmount: formatCents(charges.waitingCents) },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  if (!billingEnabled()) return json({ error: null }, { status: 404 });
  const form = await readForm(request);
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const context = { request, shop: session.shop, api: adminApiForSession(session), field };
  switch (field("intent")) {
    case "choose":
      return intents.choose(context);
    case "cap":
      return intents.cap(context);
    case "cancel":
      return intents.cancel(context);
  }
  return json({ error: "intent" as const }, { status: 400 });
}

// An intent that answers Shopify's approval URL leaves this page for Shopify's: reloading its data first
// would read the request as already answered (the loader settles a pending raise of the cap) before the
// merchant has seen Shopify's page.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult && typeof actionResult === "object" && "confirmationUrl" in actionResult ? false : defaultShouldRevalidate;

export default function Billing() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const busy = navigation.state !== "idle";
  // Shopify's approval page opens at the top level, outside the admin's iframe (App Bridge allows it for "_top").
  const confirmationUrl = actionData && "confirmationUrl" in actionData ? String(actionData.confirmationUrl) : undefined;
  useEffect(() => {
    if (confirmationUrl) window.open(confirmationUrl, "_top");
  }, [confirmationUrl]);

  return (
    <Page title={t("billing.title")} backAction={{ url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <BillingNotices
              notice={data.notice}
              plan={data.plan}
              test={data.test}
              cap={data.cap}
              cancelled={Boolean(actionData && "cancelled" in actionData)}
            />
            <CurrentPlanCard plan={data.plan} busy={busy} />
            <PlanChoices plan={data.plan} plans={data.plans} busy={busy} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <UsageCard plan={data.plan} included={data.included} usage={data.usage} charges={data.charges} />
            <CapCard
              cap={data.cap}
              included={data.included}
              perImage={data.perImage}
              cappedAmount={data.cappedAmount}
              pendingCapped={data.pendingCapped}
              busy={busy}
              notHigher={Boolean(actionData && "error" in actionData && actionData.error === "notHigher")}
            />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

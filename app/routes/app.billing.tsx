import { useContext, useEffect, useState } from "react";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { env } from "~/infra/env.server";
import { readForm } from "~/infra/request-body.server";
import { LocaleContext, useT, resolveLocale, type MessageKey } from "~/i18n/index";
import { findPaidPlan, formatCents, imageLimit, PAID_PLANS } from "~/billing/plans";
import { adminApiForSession } from "~/models/admin.server";
import { billingEnabled, cancelPlan, confirmPlan, getMonthCharges, requestCap, requestPlan } from "~/models/billing.server";
import { getUsage } from "~/models/usage.server";
import { demoAppQuery } from "~/demo/demo.server";

// Plans and billing: choose or change the plan (Shopify's approval page, then back here, where the
// answer is read back from Shopify), this month's usage and charges, and what the cap does.

/** Where Shopify sends the merchant after the approval page: this page, inside the admin (or the demo's stand-in). */
function returnUrl(request: Request, shop: string, locale: string): string {
  if (env.DEMO_MODE) return `${env.SHOPIFY_APP_URL}/app/billing?${demoAppQuery(locale)}`;
  const host = new URL(request.url).searchParams.get("host");
  const admin = host ? Buffer.from(host, "base64url").toString("utf8") : `admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`;
  return `https://${admin}/apps/${env.SHOPIFY_API_KEY}/app/billing`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const url = new URL(request.url);
  const api = adminApiForSession(session);
  let notice: "approved" | "declined" | "pending" | null = null;
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
  const shop = session.shop;
  const form = await readForm(request);
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const locale = resolveLocale(field("locale"));
  const api = adminApiForSession(session);
  switch (field("intent")) {
    case "choose": {
      const plan = findPaidPlan(field("plan"));
      if (!plan) return json({ error: "plan" as const }, { status: 400 });
      const confirmationUrl = await requestPlan(api, shop, plan, { returnUrl: returnUrl(request, shop, locale), locale });
      return json({ error: null, confirmationUrl });
    }
    case "cap": {
      const images = Number(field("images"));
      if (!Number.isInteger(images) || images <= 0) return json({ error: "notHigher" as const }, { status: 400 });
      const answer = await requestCap(api, shop, images);
      if (typeof answer !== "string") return json({ error: answer.error }, { status: 400 });
      return json({ error: null, confirmationUrl: answer });
    }
    case "cancel": {
      await cancelPlan(api, shop);
      return json({ error: null, cancelled: true });
    }
  }
  return json({ error: "intent" as const }, { status: 400 });
}

export default function Billing() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const [capImages, setCapImages] = useState(data.cap ? String(data.cap + 50) : "");
  const planName = (id: string) => t(`billing.plan.${id}` as MessageKey);
  const busy = navigation.state !== "idle";
  const locale = useContext(LocaleContext);
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
            {data.notice === "approved" && <Banner tone="success">{t("billing.approved", { plan: planName(data.plan) })}</Banner>}
            {data.notice === "declined" && <Banner tone="warning">{t("billing.declined", { plan: planName(data.plan) })}</Banner>}
            {data.notice === "pending" && <Banner tone="info">{t("billing.pending")}</Banner>}
            {actionData && "cancelled" in actionData && <Banner tone="info">{t("billing.cancelled")}</Banner>}
            {data.test && data.plan !== "free" && <Banner tone="info">{t("billing.test")}</Banner>}
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {t("billing.current", { plan: planName(data.plan) })}
                  </Text>
                  {data.plan !== "free" && (
                    <Form method="post">
                      <input type="hidden" name="intent" value="cancel" />
                      <Button submit variant="plain" tone="critical" disabled={busy}>
                        {t("billing.cancel")}
                      </Button>
                    </Form>
                  )}
                </InlineStack>
                <Text as="p" tone="subdued">
                  {t("billing.approveHint")}
                </Text>
              </BlockStack>
            </Card>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <PlanCard
                title={planName("free")}
                price={t("billing.free.price")}
                body={t("billing.free.body")}
                current={data.plan === "free"}
                currentLabel={t("billing.currentBadge")}
              />
              {data.plans.map((plan) => (
                <PlanCard
                  key={plan.id}
                  title={planName(plan.id)}
                  price={t("billing.paid.price", { price: plan.price })}
                  body={t("billing.paid.body", { included: plan.included, perImage: plan.perImage })}
                  current={data.plan === plan.id}
                  currentLabel={t("billing.currentBadge")}
                >
                  {data.plan !== plan.id && (
                    <Form method="post">
                      <input type="hidden" name="intent" value="choose" />
                      <input type="hidden" name="plan" value={plan.id} />
                      <input type="hidden" name="locale" value={locale} />
                      <Button submit variant="primary" disabled={busy}>
                        {data.plan === "free"
                          ? t("billing.choose", { plan: planName(plan.id) })
                          : t("billing.switchTo", { plan: planName(plan.id) })}
                      </Button>
                    </Form>
                  )}
                </PlanCard>
              ))}
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("billing.usage.title")}
                </Text>
                {data.usage.paidImages + data.usage.reserved === 0 ? (
                  <Text as="p">{t("billing.usage.none")}</Text>
                ) : (
                  <Text as="p">{t("billing.usage.paidImages", { images: data.usage.paidImages, reserved: data.usage.reserved })}</Text>
                )}
                {data.plan !== "free" && (
                  <Text as="p">
                    {t("billing.usage.included", { used: Math.min(data.charges.included, data.included), included: data.included })}
                  </Text>
                )}
                <Text as="p">{t("billing.usage.charged", { count: data.charges.charged, amount: data.charges.chargedAmount })}</Text>
                {data.charges.waiting > 0 && (
                  <Text as="p">{t("billing.usage.waiting", { count: data.charges.waiting, amount: data.charges.waitingAmount })}</Text>
                )}
                {data.charges.refused > 0 && (
                  <Text as="p" tone="critical">
                    {t("billing.usage.refused", { count: data.charges.refused })}
                  </Text>
                )}
                <Text as="p" tone="subdued">
                  {t("billing.usage.local", { images: data.usage.localImages })}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("billing.cap.title")}
                </Text>
                {data.cap == null ? (
                  <Text as="p">{t("billing.cap.free")}</Text>
                ) : (
                  <>
                    <Text as="p">
                      {t("billing.cap.body", {
                        cap: data.cap,
                        included: data.included,
                        extra: data.cap - data.included,
                        perImage: data.perImage ?? "",
                        capped: data.cappedAmount ?? "",
                      })}
                    </Text>
                    {data.pendingCapped && <Banner tone="info">{t("billing.cap.pending", { capped: data.pendingCapped })}</Banner>}
                    <Form method="post">
                      <BlockStack gap="200">
                        <input type="hidden" name="intent" value="cap" />
                        <TextField
                          label={t("billing.cap.field")}
                          name="images"
                          type="number"
                          autoComplete="off"
                          value={capImages}
                          onChange={setCapImages}
                          helpText={t("billing.cap.help")}
                          error={
                            actionData && "error" in actionData && actionData.error === "notHigher"
                              ? t("billing.cap.notHigher", { cap: data.cap })
                              : undefined
                          }
                        />
                        <InlineStack>
                          <Button submit disabled={busy}>
                            {t("billing.cap.raise")}
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    </Form>
                  </>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function PlanCard(props: {
  title: string;
  price: string;
  body: string;
  current: boolean;
  currentLabel: string;
  children?: React.ReactNode;
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingMd">
            {props.title}
          </Text>
          {props.current && <Badge tone="success">{props.currentLabel}</Badge>}
        </InlineStack>
        <Text as="p" variant="headingLg">
          {props.price}
        </Text>
        <Text as="p">{props.body}</Text>
        {props.children}
      </BlockStack>
    </Card>
  );
}

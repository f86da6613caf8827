import { json } from "@remix-run/node";
import { env } from "~/infra/env.server";
import { resolveLocale } from "~/i18n/index";
import { findPaidPlan } from "~/billing/plans";
import { cancelPlan, requestCap, requestPlan } from "~/models/billing.server";
import { demoAppQuery } from "~/demo/demo.server";
import type { AdminApi } from "~/shopify/admin-api.server";

// The billing page's intents, one function each; route.tsx's action picks one by the form's `intent`.
// A plan or a higher cap is approved on Shopify's page: the intent answers its URL, which the page opens.

export interface IntentContext {
  request: Request;
  shop: string;
  api: AdminApi;
  /** A field of the posted form, as text ("" when absent). */
  field: (name: string) => string;
}

/** Subscribes to a paid plan (or switches to it), once the merchant approves it on Shopify's page. */
export async function choose({ request, shop, api, field }: IntentContext) {
  const locale = resolveLocale(field("locale"));
  const plan = findPaidPlan(field("plan"));
  if (!plan) return json({ error: "plan" as const }, { status: 400 });
  const confirmationUrl = await requestPlan(api, shop, plan, { returnUrl: returnUrl(request, shop, locale), locale });
  return json({ error: null, confirmationUrl });
}

/** Raises the plan's monthly cap to `images` paid images, once the merchant approves the higher capped amount. */
export async function cap({ shop, api, field }: IntentContext) {
  const images = Number(field("images"));
  if (!Number.isInteger(images) || images <= 0) return json({ error: "notHigher" as const }, { status: 400 });
  const answer = await requestCap(api, shop, images);
  if (typeof answer !== "string") return json({ error: answer.error }, { status: 400 });
  return json({ error: null, confirmationUrl: answer });
}

/** Back to the free plan: cancels the shop's subscription with Shopify. */
export async function cancel({ shop, api }: IntentContext) {
  await cancelPlan(api, shop);
  return json({ error: null, cancelled: true });
}

/** Where Shopify sends the merchant after the approval page: this page, inside the admin (or the demo's stand-in). */
function returnUrl(request: Request, shop: string, locale: string): string {
  if (env.DEMO_MODE) return `${env.SHOPIFY_APP_URL}/app/billing?${demoAppQuery(locale)}`;
  const host = new URL(request.url).searchParams.get("host");
  const admin = host ? Buffer.from(host, "base64url").toString("utf8") : `admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`;
  return `https://${admin}/apps/${env.SHOPIFY_API_KEY}/app/billing`;
}

import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { adminApiForShop } from "~/models/admin.server";
import { onSubscriptionWebhook } from "~/models/billing.server";

// app_subscriptions/update: a subscription was approved, declined, cancelled, frozen or expired. The
// shop's plan is read back from Shopify (the payload's status when its token does not work): one that is
// no longer active puts the shop on the free plan. HMAC-verified by authenticate.webhook; safe to receive twice.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload } = await authenticate.webhook(request);
  const api = await adminApiForShop(shop).catch(() => undefined);
  await onSubscriptionWebhook(shop, payload, api);
  return new Response();
}

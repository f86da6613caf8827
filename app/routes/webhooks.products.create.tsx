import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { onProductWebhook } from "~/models/automation.server";

// products/create: with automation on, each new photo of the product gets its white-background job, once
// (app/models/automation.server.ts). HMAC-verified by authenticate.webhook; safe to receive twice.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, session, topic, webhookId, payload } = await authenticate.webhook(request);
  await onProductWebhook({ shop, session, topic: String(topic), webhookId, payload });
  return new Response();
}

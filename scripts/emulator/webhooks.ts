import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cdnUrl } from "./views";
import { readMediaStatus, shopNumericId, type EmulatorState, type ProductRecord, type ShopRecord } from "./state";

// Webhook delivery as Shopify does it: a POST per subscribed topic to the app's URL plus the topic's `uri`
// from shopify.app.toml, the raw JSON body signed with the app's client secret (X-Shopify-Hmac-Sha256,
// base64 HMAC-SHA256), and the X-Shopify-* headers. Every delivery of one event carries the same event
// id; a redelivery gets a new webhook id. Nothing is sent until the app's URL is set.

export interface WebhookDelivery {
  topic: string;
  shop: string;
  url: string;
  webhookId: string;
  eventId: string;
  body: string;
  status: number | "error";
}

export interface WebhookSink {
  appUrl?: string;
  secret: string;
  apiVersion: string;
  /** topic → uri, from shopify.app.toml. */
  routes: Map<string, string>;
  deliveries: WebhookDelivery[];
  /** Deliveries under way, so a test can wait for them. */
  pending: Set<Promise<void>>;
}

const TOML = path.resolve(import.meta.dirname, "../../shopify.app.toml");

/** The `topics = [...]` and `uri = "..."` pairs of shopify.app.toml's [[webhooks.subscriptions]]. */
export function readWebhookRoutes(toml = readFileSync(TOML, "utf8")): { routes: Map<string, string>; apiVersion: string } {
  const routes = new Map<string, string>();
  const section = toml.slice(toml.indexOf("[webhooks]"));
  const apiVersion = /^api_version\s*=\s*"([^"]+)"/m.exec(section)?.[1] ?? "unstable";
  for (const block of section.split("[[webhooks.subscriptions]]").slice(1)) {
    const topics = /^\s*topics\s*=\s*\[([^\]]*)\]/m.exec(block)?.[1];
    const uri = /^\s*uri\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (!topics || !uri) continue;
    for (const topic of topics.matchAll(/"([^"]+)"/g)) routes.set(topic[1], uri);
  }
  return { routes, apiVersion };
}

export function createWebhookSink(secret: string): WebhookSink {
  const { routes, apiVersion } = readWebhookRoutes();
  return { secret, apiVersion, routes, deliveries: [], pending: new Set() };
}

/** Sends one event to the app, if it subscribes to the topic; `eventId` is reused for a redelivery. */
export function deliverWebhook(sink: WebhookSink, shop: string, topic: string, payload: unknown, eventId: string = randomUUID()): void {
  const uri = sink.routes.get(topic);
  if (!sink.appUrl || !uri) return;
  const body = JSON.stringify(payload);
  const delivery: WebhookDelivery = {
    topic,
    shop,
    url: new URL(uri, sink.appUrl).href,
    webhookId: randomUUID(),
    eventId,
    body,
    status: "error",
  };
  sink.deliveries.push(delivery);
  const sending = fetch(delivery.url, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": sink.apiVersion,
      "X-Shopify-Webhook-Id": delivery.webhookId,
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Hmac-Sha256": createHmac("sha256", sink.secret).update(body).digest("base64"),
    },
    signal: AbortSignal.timeout(30_000),
  })
    .then(async (response) => {
      delivery.status = response.status;
      await response.body?.cancel();
    })
    .catch(() => {
      delivery.status = "error";
    })
    .finally(() => sink.pending.delete(sending));
  sink.pending.add(sending);
}

/** Sends an earlier delivery again, as Shopify does when it saw no 200 in time: same event id, new webhook id. */
export function redeliver(sink: WebhookSink, delivery: WebhookDelivery): void {
  deliverWebhook(sink, delivery.shop, delivery.topic, JSON.parse(delivery.body), delivery.eventId);
}

/**
 * The REST-shaped product payload of products/create and products/update (the fields the app reads):
 * ids, title, `images` and `media`, each media with its status and, once READY, its preview image.
 */
export function productPayload(state: EmulatorState, origin: string, shop: ShopRecord, product: ProductRecord, now = Date.now()) {
  const media = product.mediaIds.map((id) => shop.media.get(id)).filter((m) => m !== undefined);
  return {
    id: product.numericId,
    admin_graphql_api_id: product.id,
    title: product.title,
    handle: product.handle,
    status: product.status.toLowerCase(),
    product_type: product.productType,
    vendor: product.vendor,
    tags: product.tags.join(", "),
    body_html: product.descriptionHtml,
    created_at: new Date(product.createdAt).toISOString(),
    updated_at: new Date(product.updatedAt).toISOString(),
    shop_id: shopNumericId(shop.domain),
    images: media
      .filter((m) => readMediaStatus(m, now) === "READY")
      .map((m, index) => ({
        id: m.numericId,
        admin_graphql_api_id: `gid://shopify/ProductImage/${m.numericId}`,
        product_id: product.numericId,
        position: index + 1,
        alt: m.alt || null,
        width: m.width ?? null,
        height: m.height ?? null,
        src: cdnUrl(origin, shop.domain, m),
      })),
    media: media.map((m, index) => {
      const status = readMediaStatus(m, now);
      return {
        id: m.numericId,
        admin_graphql_api_id: m.id,
        product_id: product.numericId,
        position: index + 1,
        alt: m.alt || null,
        media_content_type: "IMAGE",
        status: status,
        preview_image:
          status === "READY" ? { width: m.width ?? null, height: m.height ?? null, src: cdnUrl(origin, shop.domain, m), status } : null,
        created_at: new Date(m.createdAt).toISOString(),
        updated_at: new Date(m.updatedAt).toISOString(),
      };
    }),
  };
}

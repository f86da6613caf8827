import { createHmac, randomUUID } from "node:crypto";
import { env } from "~/env.server";

export const DEMO_SHOP = "photo-studio-demo.myshopify.com";

/** Demo routes do not exist unless the app runs with the explicit demo settings. */
export function requireDemoMode() {
  if (!env.DEMO_MODE) throw new Response("Not found", { status: 404 });
}

export function demoAppUrl(locale: string) {
  const host = Buffer.from(`admin.shopify.com/store/${DEMO_SHOP.replace(".myshopify.com", "")}`).toString("base64url");
  const params = new URLSearchParams({ embedded: "1", shop: DEMO_SHOP, host, locale });
  return `/app?${params}`;
}

function base64url(value: object) {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** An App Bridge session token, as the admin would issue it: HS256 with the app's secret. */
export function signDemoSessionToken(shop: string, userId = "1"): string | null {
  if (shop !== DEMO_SHOP) return null;
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: "HS256", typ: "JWT" });
  const payload = base64url({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: env.SHOPIFY_API_KEY,
    sub: userId,
    exp: now + 60,
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
    sid: `demo-${userId}`,
  });
  const signature = createHmac("sha256", env.SHOPIFY_API_SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { env } from "~/infra/env.server";

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

// The admin UI extensions the demo admin can open, with the target each one renders (as in its
// shopify.extension.toml). Their bundles are what `shopify app build` wrote to extensions/<handle>/dist.
export const DEMO_EXTENSIONS = {
  "product-action": "admin.product-details.action.render",
  "bulk-action": "admin.product-index.selection-action.render",
} as const;

export type DemoExtension = keyof typeof DEMO_EXTENSIONS;

export function isDemoExtension(handle: string | undefined): handle is DemoExtension {
  return Boolean(handle && Object.hasOwn(DEMO_EXTENSIONS, handle));
}

export function extensionPath(handle: DemoExtension, ...parts: string[]) {
  return path.resolve(process.cwd(), "extensions", handle, ...parts);
}

/** The extension's own texts for `locale`, over its English defaults, as the admin gives them. */
export function extensionMessages(handle: DemoExtension, locale: string): Record<string, unknown> {
  const read = (file: string) => {
    const full = extensionPath(handle, "locales", file);
    return existsSync(full) ? (JSON.parse(readFileSync(full, "utf8")) as Record<string, unknown>) : {};
  };
  const english = read("en.default.json");
  return locale.toLowerCase().startsWith("zh") ? { ...english, ...read("zh-TW.json") } : english;
}

/** The query string the admin adds to an embedded app's URL (embedded, shop, host, locale). */
export function demoAppQuery(locale: string) {
  return demoAppUrl(locale).split("?")[1] ?? "";
}

export function escapeHtml(value: string) {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON for an inline <script>: nothing in it can close the script element. */
export function inlineJson(value: unknown) {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

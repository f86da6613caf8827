// Where Shopify's hosts are reached. In production this is always https://{shop}; only with the demo
// settings (SHOPIFY_ADMIN_EMULATOR_URL) are calls to *.myshopify.com sent to the local Admin API
// emulator instead, as {emulator}/{shop}/{path}.

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function isShopDomain(shop: string): boolean {
  return SHOP_HOST.test(shop);
}

export function emulatorOrigin(): string | undefined {
  const value = process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  return value ? value.replace(/\/$/, "") : undefined;
}

/** Rewrites a URL on a shop's host to the emulator when one is configured; other URLs pass through. */
export function resolveShopifyUrl(url: string): string {
  const origin = emulatorOrigin();
  if (!origin) return url;
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" || !isShopDomain(parsed.hostname)) return url;
  return `${origin}/${parsed.hostname}${parsed.pathname}${parsed.search}`;
}

export function adminGraphqlUrl(shop: string, apiVersion: string): string {
  return resolveShopifyUrl(`https://${shop}/admin/api/${apiVersion}/graphql.json`);
}

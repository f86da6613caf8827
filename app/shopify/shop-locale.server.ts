import type { ShopLocalesQuery, ShopLocalesQueryVariables } from "../types/admin.generated";
import { AdminApiError, type AdminApi, type AdminDocument } from "./admin-api.server";

/** The shop's languages; the primary one is the storefront's default (needs `read_locales`). */
export const SHOP_LOCALES_QUERY = `#graphql
query ShopLocales {
  shopLocales {
    locale
    primary
  }
}` as AdminDocument<ShopLocalesQuery, ShopLocalesQueryVariables>;

/**
 * The shop's primary locale (e.g. `zh-TW`), or null when the app's grant lacks `read_locales` (installs
 * made before the app asked for it): alt text then stays in English rather than failing the publish.
 */
export async function readShopPrimaryLocale(api: AdminApi, opts: { signal?: AbortSignal } = {}): Promise<string | null> {
  try {
    const data = await api.request(SHOP_LOCALES_QUERY, {}, { idempotent: true, signal: opts.signal });
    return data.shopLocales.find((l) => l.primary)?.locale ?? null;
  } catch (error) {
    if (error instanceof AdminApiError && /ACCESS_DENIED/.test(JSON.stringify(error.details ?? ""))) return null;
    throw error;
  }
}

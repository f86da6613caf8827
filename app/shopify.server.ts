import "@shopify/shopify-app-remix/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { AppDistribution, LogSeverity, shopifyApp, type ApiVersion } from "@shopify/shopify-app-remix/server";
import { env } from "./env.server";
import { prisma } from "./db.server";
import { PrismaSessionStorage } from "./session-storage.server";
import { ADMIN_API_VERSION } from "./shopify/api-version";
import { emulatorOrigin, resolveShopifyUrl } from "./shopify/endpoint.server";

// Demo and tests only: send the library's calls to *.myshopify.com to the local Admin API emulator.
// env.server refuses SHOPIFY_ADMIN_EMULATOR_URL outside demo mode and tests.
if (emulatorOrigin()) {
  const nodeFetch = globalThis.fetch;
  setAbstractFetchFunc((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return nodeFetch(resolveShopifyUrl(url), init);
  });
}

export const sessionStorage = new PrismaSessionStorage(prisma);

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: ADMIN_API_VERSION as ApiVersion,
  scopes: env.SCOPES.split(","),
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage,
  distribution: AppDistribution.AppStore,
  future: { unstable_newEmbeddedAuthStrategy: true },
  logger: { level: env.NODE_ENV === "test" ? LogSeverity.Warning : LogSeverity.Info },
  ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;

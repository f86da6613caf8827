import "@shopify/shopify-app-remix/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { AppDistribution, LogSeverity, shopifyApp, type ApiVersion } from "@shopify/shopify-app-remix/server";
import { env } from "./infra/env.server";
import { bindTokenRenewal, forgetAccessToken, sessionStorage } from "./models/admin.server";
import { WEBHOOK_BODY_LIMIT, withBoundedBody } from "./infra/request-body.server";
import { ADMIN_API_VERSION } from "./shopify/api-version";
import { emulatorOrigin, resolveShopifyUrl } from "./shopify/endpoint.server";
import { logger } from "~/infra/logger.server";

// Demo and tests only: send the library's calls to *.myshopify.com to the local Admin API emulator.
// env.server refuses SHOPIFY_ADMIN_EMULATOR_URL outside demo mode and tests.
if (emulatorOrigin()) {
  const nodeFetch = globalThis.fetch;
  setAbstractFetchFunc((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return nodeFetch(resolveShopifyUrl(url), init);
  });
}

export { sessionStorage };

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

/**
 * The library's authenticate.admin, plus what a page needs when Shopify refuses the stored token in the
 * middle of the request: the token is forgotten (the library's invalidateAccessToken) and the library
 * authenticates the same request again, which, finding no token, exchanges the request's session token
 * for a new one. If the session token has expired meanwhile, the library answers as it does for any
 * invalid session token (bounce page, or 401 with X-Shopify-Retry-Invalid-Session-Request) and App
 * Bridge retries with a fresh one.
 */
const authenticateAdmin: typeof shopify.authenticate.admin = async (request) => {
  const context = await shopify.authenticate.admin(request);
  bindTokenRenewal(context.session, async (failedToken) => {
    await forgetAccessToken(context.session, failedToken);
    const { session } = await shopify.authenticate.admin(request);
    return session.accessToken;
  });
  return context;
};

const PAYLOAD_SHOP_FIELDS = ["shop_domain", "myshopify_domain"] as const;
const PRIVACY_TOPICS = ["SHOP_REDACT", "CUSTOMERS_REDACT", "CUSTOMERS_DATA_REQUEST"];

/**
 * The library's authenticate.webhook, on a body read within a limit, and with the shop checked against
 * the payload: the HMAC covers the body but not the X-Shopify-Shop-Domain header the library takes the
 * shop from, so a payload naming another shop is refused (400) before anything is changed or deleted.
 * The privacy topics always name their shop in `shop_domain`.
 */
const authenticateWebhook: typeof shopify.authenticate.webhook = async (request) => {
  const context = await shopify.authenticate.webhook(await withBoundedBody(request, WEBHOOK_BODY_LIMIT));
  const payload = (context.payload ?? {}) as Record<string, unknown>;
  const named = PAYLOAD_SHOP_FIELDS.map((field) => payload[field]).filter((value) => value !== undefined);
  const topic = String(context.topic).toUpperCase().replace("/", "_");
  if ((PRIVACY_TOPICS.includes(topic) && named.length === 0) || named.some((value) => value !== context.shop)) {
    logger.warn({ topic: context.topic, shop: context.shop }, "[webhooks] refused: the payload's shop is not the header's");
    throw new Response("The webhook's shop does not match its payload.", { status: 400 });
  }
  return context;
};

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = { ...shopify.authenticate, admin: authenticateAdmin, webhook: authenticateWebhook };
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;

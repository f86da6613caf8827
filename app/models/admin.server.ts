import { Redis } from "ioredis";
import type { Session } from "@shopify/shopify-api";
import { env } from "~/infra/env.server";
import { prisma } from "~/infra/db.server";
import { PrismaSessionStorage } from "~/infra/session-storage.server";
import { AdminApiError, createAdminApi, type AdminApi, type RequestOptions } from "~/shopify/admin-api.server";
import { logger } from "~/infra/logger.server";

// The one way to reach a shop's Admin API, from a request's session or, in the worker, from the shop's
// offline session (looked up here, never carried in job data). One Redis connection paces every call
// to the shop's restore rate across all processes.
//
// When Shopify refuses the stored access token (401: revoked, rotated, or an emulator that forgot it),
// the stored token is forgotten, as @shopify/shopify-app-remix does for its own client. In a request,
// the request's session token then gets a new one through the library's token exchange and the call is
// sent again; in the worker, the job fails with UNAUTHORIZED and the next page load reconnects the shop.

export const sessionStorage = new PrismaSessionStorage(prisma, {
  current: env.TOKEN_ENCRYPTION_KEY,
  previous: env.TOKEN_ENCRYPTION_KEY_PREVIOUS,
});

const RECONNECT_MESSAGE = "Shopify refused the app's access token. Open the app from your Shopify admin to reconnect it, then retry.";

let pacing: Redis | undefined;

function pacingConnection(): Redis {
  if (!pacing) {
    // The pacer paces in-process while this connection is down (it logs that once); a command never
    // waits long for a Redis that hangs.
    pacing = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 });
    pacing.on("error", () => {});
  }
  return pacing;
}

/** Gets a new access token after `failedToken` was refused; undefined when there is no way to. */
type TokenRenewal = (failedToken: string) => Promise<string | undefined>;

// Filled by shopify.server's authenticate.admin: how the session of that request gets a new token.
const renewals = new WeakMap<Session, TokenRenewal>();

export function bindTokenRenewal(session: Session, renew: TokenRenewal) {
  renewals.set(session, renew);
}

/** Forgets the stored offline token if it is still `failedToken`; the next page load exchanges a new one. */
export function forgetAccessToken(session: Pick<Session, "id" | "shop">, failedToken: string): Promise<boolean> {
  return sessionStorage.invalidateAccessToken(session.id, failedToken);
}

export function adminApiForSession(session: Session): AdminApi {
  if (!session.accessToken) throw new AdminApiError("UNAUTHORIZED", RECONNECT_MESSAGE, false);
  const renew = renewals.get(session);
  return renewingAdminApi(session.shop, session.accessToken, async (failedToken) => {
    if (!renew) {
      await forgetAccessToken(session, failedToken);
      return undefined;
    }
    const token = await renew(failedToken);
    if (token) session.accessToken = token;
    return token;
  });
}

export async function adminApiForShop(shop: string): Promise<AdminApi> {
  const session = await sessionStorage.loadSession(`offline_${shop}`);
  if (!session?.accessToken) {
    throw new AdminApiError(
      "UNAUTHORIZED",
      "The app has no access to this store any more. Open the app from your Shopify admin to reconnect it.",
      false,
    );
  }
  return renewingAdminApi(shop, session.accessToken, async (failedToken) => {
    // No session token here to exchange: mark the shop for re-authentication and let the job fail.
    if (await forgetAccessToken(session, failedToken)) {
      logger.warn({ shop }, "[admin] Shopify refused the stored access token; the shop must open the app to reconnect");
    }
    return undefined;
  });
}

// Concurrent calls that meet the same refused token share one renewal.
const pendingRenewals = new Map<string, Promise<string | undefined>>();

function renewingAdminApi(shop: string, accessToken: string, renew: TokenRenewal): AdminApi {
  let api = createAdminApi({ shop, accessToken, pacing: { redis: pacingConnection(), prefix: env.QUEUE_PREFIX } });
  let token = accessToken;
  return {
    shop,
    get fetch() {
      return api.fetch;
    },
    async request<T>(document: string, variables?: Record<string, unknown>, opts?: RequestOptions): Promise<T> {
      const usedToken = token;
      try {
        return await api.request<T>(document, variables, opts);
      } catch (error) {
        if (!(error instanceof AdminApiError && error.code === "UNAUTHORIZED")) throw error;
        let renewal = pendingRenewals.get(usedToken);
        if (!renewal) {
          renewal = renew(usedToken).finally(() => pendingRenewals.delete(usedToken));
          pendingRenewals.set(usedToken, renewal);
        }
        const renewed = await renewal;
        if (!renewed || renewed === usedToken) throw new AdminApiError("UNAUTHORIZED", RECONNECT_MESSAGE, false, error.details);
        if (token === usedToken) {
          token = renewed;
          api = createAdminApi({ shop, accessToken: renewed, pacing: { redis: pacingConnection(), prefix: env.QUEUE_PREFIX } });
        }
        // Shopify ran nothing for a 401, so sending the request again is safe even for a mutation.
        return api.request<T>(document, variables, opts);
      }
    },
  };
}

export function closeAdminConnections() {
  pacing?.disconnect();
  pacing = undefined;
}

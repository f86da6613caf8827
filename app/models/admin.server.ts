import { Redis } from "ioredis";
import type { Session } from "@shopify/shopify-api";
import { env } from "~/env.server";
import { prisma } from "~/db.server";
import { PrismaSessionStorage } from "~/session-storage.server";
import { AdminApiError, createAdminApi } from "~/shopify/admin-api.server";

// The one way to reach a shop's Admin API, from a request's session or, in the worker, from the shop's
// offline session (looked up here, never carried in job data). One Redis connection paces every call
// to the shop's restore rate across all processes.

const sessions = new PrismaSessionStorage(prisma);
let pacing: Redis | undefined;

function pacingConnection(): Redis {
  pacing ??= new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 2000 });
  return pacing;
}

export function adminApiForSession(session: Pick<Session, "shop" | "accessToken">) {
  if (!session.accessToken) throw new AdminApiError("UNAUTHORIZED", "No access token for this store.", false);
  return createAdminApi({ shop: session.shop, accessToken: session.accessToken, redis: pacingConnection() });
}

export async function adminApiForShop(shop: string) {
  const session = await sessions.loadSession(`offline_${shop}`);
  if (!session?.accessToken) {
    throw new AdminApiError(
      "UNAUTHORIZED",
      "The app has no access to this store any more. Open the app from your Shopify admin to reconnect it.",
      false,
    );
  }
  return adminApiForSession(session);
}

export function closeAdminConnections() {
  pacing?.disconnect();
  pacing = undefined;
}

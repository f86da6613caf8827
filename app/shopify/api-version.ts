import type { ApiVersion } from "@shopify/shopify-app-remix/server";

/**
 * The one Admin API version of the app: the Remix library's client (app/shopify.server.ts), the app's own Admin API
 * layer (admin-api.server.ts), the generated GraphQL types (.graphqlrc.ts) and the local emulator's schema.
 * `satisfies` keeps it a version the library knows; shopify.app.toml's webhooks `api_version` must match it.
 */
export const ADMIN_API_VERSION = "2026-10" satisfies `${ApiVersion}`;

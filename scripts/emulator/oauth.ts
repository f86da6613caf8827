import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { EmulatorState, TokenRecord } from "./state";

/**
 * POST /admin/oauth/access_token as @shopify/shopify-api uses it: token exchange of an App Bridge
 * session token (offline or online), and the refresh_token grant of expiring offline tokens.
 */
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
const ONLINE = "urn:shopify:params:oauth:token-type:online-access-token";
const OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TTL_SECONDS = 86_399;
const EXPIRING_OFFLINE_TTL_SECONDS = 3_600;
const REFRESH_TTL_SECONDS = 7_776_000;
/** Shopify tolerates a few seconds of clock skew on session tokens. */
const CLOCK_SKEW_SECONDS = 5;

export const DEFAULT_SCOPE = "write_products,write_files,read_locales";

const tokenExchangeBody = z.object({
  client_id: z.string(),
  client_secret: z.string(),
  grant_type: z.literal(TOKEN_EXCHANGE),
  subject_token: z.string(),
  subject_token_type: z.literal(ID_TOKEN),
  requested_token_type: z.enum([ONLINE, OFFLINE]).default(OFFLINE),
  expiring: z.enum(["0", "1"]).optional(),
});

const refreshBody = z.object({
  client_id: z.string(),
  client_secret: z.string(),
  grant_type: z.literal("refresh_token"),
  refresh_token: z.string(),
});

export interface AppCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function issueAccessToken(
  state: EmulatorState,
  shop: string,
  opts: { scope?: string; online?: boolean; ttlSeconds?: number } = {},
): TokenRecord {
  const prefix = opts.online ? "shpua" : "shpat";
  const record: TokenRecord = {
    token: `${prefix}_${randomBytes(16).toString("hex")}`,
    shop,
    scope: opts.scope ?? DEFAULT_SCOPE,
    online: Boolean(opts.online),
    expiresAt: opts.ttlSeconds ? Date.now() + opts.ttlSeconds * 1000 : undefined,
    revoked: false,
  };
  state.tokens.set(record.token, record);
  return record;
}

export function exchangeToken(state: EmulatorState, app: AppCredentials, shop: string, raw: unknown, scope: string): OAuthAnswer {
  const grant = (raw as { grant_type?: unknown } | undefined)?.grant_type;
  if (grant === "refresh_token") return refreshAccessToken(state, app, shop, raw);
  const parsed = tokenExchangeBody.safeParse(raw);
  if (!parsed.success) return invalidRequest(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const body = parsed.data;
  if (body.client_id !== app.apiKey || body.client_secret !== app.apiSecret) return invalidClient();
  const claims = verifySessionToken(body.subject_token, app);
  if ("error" in claims) return { status: 400, body: { error: "invalid_subject_token", error_description: claims.error } };
  if (claims.dest !== `https://${shop}`) {
    return { status: 400, body: { error: "invalid_subject_token", error_description: "The session token was issued for another shop." } };
  }
  if (body.requested_token_type === ONLINE) {
    const token = issueAccessToken(state, shop, { scope, online: true, ttlSeconds: ONLINE_TTL_SECONDS });
    return {
      status: 200,
      body: {
        access_token: token.token,
        scope,
        expires_in: ONLINE_TTL_SECONDS,
        associated_user_scope: scope,
        associated_user: describeUser(claims.sub, shop),
      },
    };
  }
  if (body.expiring === "1") return issueExpiringOffline(state, shop, scope);
  return { status: 200, body: { access_token: issueAccessToken(state, shop, { scope }).token, scope } };
}

function refreshAccessToken(state: EmulatorState, app: AppCredentials, shop: string, raw: unknown): OAuthAnswer {
  const parsed = refreshBody.safeParse(raw);
  if (!parsed.success) return invalidRequest("refresh_token is required");
  if (parsed.data.client_id !== app.apiKey || parsed.data.client_secret !== app.apiSecret) return invalidClient();
  const stored = state.refreshTokens.get(parsed.data.refresh_token);
  if (!stored || stored.shop !== shop || stored.expiresAt < Date.now()) {
    return { status: 400, body: { error: "invalid_grant", error_description: "The refresh token is invalid or expired." } };
  }
  state.refreshTokens.delete(parsed.data.refresh_token);
  return issueExpiringOffline(state, shop, stored.scope);
}

function issueExpiringOffline(state: EmulatorState, shop: string, scope: string): OAuthAnswer {
  const token = issueAccessToken(state, shop, { scope, ttlSeconds: EXPIRING_OFFLINE_TTL_SECONDS });
  const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
  state.refreshTokens.set(refreshToken, { shop, scope, expiresAt: Date.now() + REFRESH_TTL_SECONDS * 1000 });
  return {
    status: 200,
    body: {
      access_token: token.token,
      scope,
      expires_in: EXPIRING_OFFLINE_TTL_SECONDS,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TTL_SECONDS,
    },
  };
}

interface SessionClaims {
  dest: string;
  aud: string;
  sub?: string;
  exp: number;
  nbf?: number;
}

/** Checks an App Bridge session token: HS256 with the app's secret, for this app, not expired. */
export function verifySessionToken(token: string, app: AppCredentials): SessionClaims | { error: string } {
  const parts = token.split(".");
  if (parts.length !== 3) return { error: "The session token is not a JWT." };
  const [header, payload, signature] = parts;
  const alg = (decodeSegment(header) as { alg?: string } | undefined)?.alg;
  if (alg !== "HS256") return { error: "The session token must be signed with HS256." };
  const expected = createHmac("sha256", app.apiSecret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { error: "The session token signature is invalid." };
  }
  const claims = decodeSegment(payload) as Partial<SessionClaims> | undefined;
  if (!claims || typeof claims.dest !== "string" || typeof claims.exp !== "number") {
    return { error: "The session token is missing claims." };
  }
  if (claims.aud !== app.apiKey) return { error: "The session token was issued for another app." };
  const now = Date.now() / 1000;
  if (claims.exp < now - CLOCK_SKEW_SECONDS) return { error: "The session token has expired." };
  if (typeof claims.nbf === "number" && claims.nbf > now + CLOCK_SKEW_SECONDS) return { error: "The session token is not valid yet." };
  return claims as SessionClaims;
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function describeUser(sub: string | undefined, shop: string) {
  return {
    id: Number(sub ?? 1),
    first_name: "Demo",
    last_name: "Merchant",
    email: `owner@${shop}`,
    account_owner: true,
    locale: "en",
    collaborator: false,
    email_verified: true,
  };
}

function invalidRequest(description: string): OAuthAnswer {
  return { status: 400, body: { error: "invalid_request", error_description: description } };
}

function invalidClient(): OAuthAnswer {
  return { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } };
}

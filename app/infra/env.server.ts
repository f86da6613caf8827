import { randomBytes } from "node:crypto";
import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "./database-url";
import { DEFAULT_STORAGE_URL, parseStorageUrl } from "./storage/url";
import { studioEnvSchema } from "../studio";
import { LOG_LEVELS } from "./logger.server";

// Every variable the web and worker processes read, validated once at start. Demo mode is only possible
// with explicit demo settings: DEMO_MODE=1, the demo app's client id, a secret made for the run and an
// emulator on this machine.

const DEMO_API_KEY = "demo-api-key";

/** 32 bytes for AES-256-GCM, written as base64 (44 characters) or hex (64). */
const tokenKey = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
    if (key.length !== 32) {
      ctx.addIssue({ code: "custom", message: "must be 32 random bytes, base64 or hex (e.g. `openssl rand -base64 32`)" });
      return z.NEVER;
    }
    return key;
  });

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const rpm = z.coerce.number().int().min(1).max(1_000_000).default(60);
const concurrent = z.coerce.number().int().min(1).max(10_000).default(8);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DEMO_MODE: flag,
  SHOPIFY_API_KEY: z.string().min(1).optional(),
  SHOPIFY_API_SECRET: z.string().min(1).optional(),
  SHOPIFY_APP_URL: z.url().default("http://localhost:3000"),
  SCOPES: z.string().default("read_products,write_products,read_files,write_files,read_locales"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/i)
    .default("studio"),
  STORAGE_URL: z
    .string()
    .default(DEFAULT_STORAGE_URL)
    .transform((value, ctx) => {
      try {
        return parseStorageUrl(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  // Read by the AWS SDK itself; named here so that a malformed one is reported at start.
  AWS_REGION: z.string().min(1).optional(),
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_ENDPOINT_URL_S3: z.url().optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  // The worker's /healthz and /readyz (off unless set; `npm run worker:health` runs the same checks once).
  WORKER_HEALTH_PORT: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(65_535).optional()),
  // The worker's recovery timings (README, "Configuration", says why these defaults).
  WORKER_SHUTDOWN_SECONDS: z.coerce.number().int().min(1).max(3600).default(25),
  WORKER_LOCK_SECONDS: z.coerce.number().int().min(1).max(600).default(120),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  JOB_STUCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(1800),
  // Economy bulk: the first wait before polling Google's batch, doubling to 15 times it (a batch takes hours).
  GEMINI_BATCH_POLL_SECONDS: z.coerce.number().min(0.1).max(3600).default(60),
  MEDIA_POLL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(180),
  // The paid providers' limits, shared by every worker (README, "Provider limits"): requests per minute
  // and requests at once, per provider; Vertex AI's quotas are the Cloud project's, apart from the API key's.
  GEMINI_RPM: rpm,
  GEMINI_CONCURRENCY: concurrent,
  VERTEX_RPM: rpm,
  VERTEX_CONCURRENCY: concurrent,
  NANO_BANANA_RPM: rpm,
  NANO_BANANA_CONCURRENCY: concurrent,
  PROVIDER_LEASE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  SHOPIFY_ADMIN_EMULATOR_URL: z.url().optional(),
  APP_BRIDGE_URL: z.string().optional(),
  // "shopify": plans and usage charges through Shopify's Billing API (an App Store app). "off": no plans,
  // the settings' monthly cap alone (a custom app for one's own store, which cannot use the Billing API).
  BILLING: z.enum(["shopify", "off"]).default("shopify"),
  MAX_INPUT_MEGAPIXELS: z.coerce.number().min(1).max(100).default(40),
  // Read by app/infra/logger.server.ts itself (it logs before this runs); named here so that a typo is reported at start.
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
  TOKEN_ENCRYPTION_KEY: tokenKey,
  TOKEN_ENCRYPTION_KEY_PREVIOUS: tokenKey,
  ...studioEnvSchema.shape,
});

export type Env = z.infer<typeof schema> & { SHOPIFY_API_KEY: string; SHOPIFY_API_SECRET: string; TOKEN_ENCRYPTION_KEY: Buffer };

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}\nSee .env.example for every variable.`);
  }
  const env = result.data;

  if (source.STORAGE_DIR) {
    throw new Error(
      `STORAGE_DIR was replaced by STORAGE_URL: set STORAGE_URL=file:${source.STORAGE_DIR} (or s3://bucket/prefix) and remove STORAGE_DIR.`,
    );
  }
  if (env.STORAGE_URL.kind === "s3" && !env.AWS_REGION) {
    throw new Error(
      "Invalid environment:\n  STORAGE_URL=s3://… needs AWS_REGION (the bucket's region; `auto` for Cloudflare R2 and Google Cloud Storage, `us-east-1` for MinIO unless it was set up with another).",
    );
  }
  if (env.DEMO_MODE) {
    if (!env.SHOPIFY_ADMIN_EMULATOR_URL) {
      throw new Error("DEMO_MODE=1 needs SHOPIFY_ADMIN_EMULATOR_URL (the local Admin API emulator). Run `npm run demo`.");
    }
    if ((env.SHOPIFY_API_KEY ?? DEMO_API_KEY) !== DEMO_API_KEY) {
      throw new Error("DEMO_MODE=1 cannot be used with a real SHOPIFY_API_KEY: unset one of them.");
    }
    if (!env.SHOPIFY_API_SECRET) {
      throw new Error("DEMO_MODE=1 needs SHOPIFY_API_SECRET: `npm run demo` makes a random one for each run.");
    }
  }
  if (env.SHOPIFY_ADMIN_EMULATOR_URL) {
    if (!env.DEMO_MODE && env.NODE_ENV !== "test") {
      throw new Error("SHOPIFY_ADMIN_EMULATOR_URL is only allowed with DEMO_MODE=1 (or in tests).");
    }
    const host = new URL(env.SHOPIFY_ADMIN_EMULATOR_URL).hostname;
    if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) {
      throw new Error("SHOPIFY_ADMIN_EMULATOR_URL must point at this machine (127.0.0.1 or localhost).");
    }
  }

  // Tests that set nothing get secrets of their own, never a constant that someone could copy.
  const isTest = env.NODE_ENV === "test";
  const apiKey = env.SHOPIFY_API_KEY ?? (env.DEMO_MODE || isTest ? DEMO_API_KEY : undefined);
  const apiSecret = env.SHOPIFY_API_SECRET ?? (isTest ? randomBytes(32).toString("hex") : undefined);
  if (!apiKey || !apiSecret) {
    throw new Error(
      "Invalid environment:\n  SHOPIFY_API_KEY and SHOPIFY_API_SECRET are required (from your app in the Partner Dashboard).\n" +
        "To try the app without a Shopify account, run `npm run demo`.",
    );
  }
  // Several processes (web, workers) must read each other's rows, so outside tests the key is never made up.
  const tokenEncryptionKey = env.TOKEN_ENCRYPTION_KEY ?? (isTest ? randomBytes(32) : undefined);
  if (!tokenEncryptionKey) {
    throw new Error(
      "Invalid environment:\n  TOKEN_ENCRYPTION_KEY is required: 32 random bytes, base64 (`openssl rand -base64 32`). " +
        "It encrypts the shops' access tokens in the database; every web and worker process needs the same one.",
    );
  }
  return { ...env, SHOPIFY_API_KEY: apiKey, SHOPIFY_API_SECRET: apiSecret, TOKEN_ENCRYPTION_KEY: tokenEncryptionKey };
}

export const env = parseEnv(process.env);

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AppLoadContext } from "@remix-run/node";
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { startEmulator, type Emulator } from "../scripts/emulator/index.ts";
import { startS3Server, type S3Server } from "./s3-server";

// The app under test, for loaders, actions and the worker: the Admin API emulator with two stores,
// fresh storage and a fresh queue prefix, and real signed session tokens. Call startAppTest() before
// importing any app module (the environment is read once, at import). Storage is a temporary folder, or
// with TEST_STORAGE=s3 a bucket on an S3 server started on loopback for this test file.

export type StorageKind = "file" | "s3";

export function testStorageKind(): StorageKind {
  const kind = process.env.TEST_STORAGE ?? "file";
  if (kind !== "file" && kind !== "s3") throw new Error(`TEST_STORAGE must be file or s3, got ${kind}`);
  return kind;
}

export const SHOP_A = "shop-a.myshopify.com";
export const SHOP_B = "shop-b.myshopify.com";
export const API_KEY = "demo-api-key";
/** Made for this run, like the demo's: no constant secret anyone could copy. */
export const API_SECRET = randomBytes(32).toString("hex");
const APP_URL = "http://localhost:3000";

export interface AppTest {
  emulator: Emulator;
  queuePrefix: string;
  storage: StorageKind;
  /** The storage folder (with file storage; with S3 an empty folder nothing is written to). */
  storageDir: string;
  /** The S3 server, with S3 storage. */
  s3?: S3Server;
  stop(): Promise<void>;
}

export async function startAppTest(opts: { productCount?: number } = {}): Promise<AppTest> {
  const emulator = await startEmulator({ seedDemoShop: false, mediaProcessingMs: 30, apiKey: API_KEY, apiSecret: API_SECRET });
  emulator.addShop(SHOP_A, { seed: true, productCount: opts.productCount });
  emulator.addShop(SHOP_B, { seed: true, productCount: opts.productCount });
  const storage = testStorageKind();
  const storageDir = mkdtempSync(path.join(tmpdir(), "studio-files-"));
  const s3 = storage === "s3" ? await startS3Server() : undefined;
  const queuePrefix = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  Object.assign(process.env, {
    NODE_ENV: "test",
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SHOPIFY_APP_URL: APP_URL,
    SHOPIFY_ADMIN_EMULATOR_URL: emulator.origin,
    STORAGE_URL: `file:${storageDir}`,
    QUEUE_PREFIX: queuePrefix,
    // The suites written before billing exercise the settings' cap on paid providers; a billing test sets
    // BILLING=shopify before calling startAppTest().
    BILLING: process.env.BILLING ?? "off",
    ...s3?.env,
  });
  return {
    emulator,
    queuePrefix,
    storage,
    storageDir,
    s3,
    async stop() {
      await emulator.close();
      await s3?.stop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** A request as App Bridge sends it from the embedded page: a Bearer session token for `shop`. */
export async function asShop(shop: string, pathname: string, init?: RequestInit): Promise<Request> {
  return setUpValidRequest(
    { type: RequestType.Bearer, store: shop.replace(".myshopify.com", ""), apiKey: API_KEY, apiSecretKey: API_SECRET },
    new Request(new URL(pathname, APP_URL), init),
  );
}

/** Runs a loader or action and gives back a Response, whether it returned or threw one. */
export async function call(
  fn: (args: { request: Request; params: Record<string, string>; context: AppLoadContext }) => unknown,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await fn({ request, params, context: {} });
    return result instanceof Response ? result : Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

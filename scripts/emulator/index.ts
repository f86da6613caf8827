import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { createBillingHooks, createShopBilling, handleChargePage, type BillingHooks } from "./billing";
import { BULK_OUTPUT_PREFIX, registerBulk, serveBulkResult, type BulkControls, type BulkOptions } from "./bulk";
import { addCollection, seedCollections } from "./collections";
import { seedShop } from "./demo-store";
import { Faults } from "./faults";
import { answerGraphql, readBucket, type AnswerContext, type Throttle } from "./graphql";
import { BodyTooLargeError, parseJson, readBody, sendJson, sendText } from "./http";
import { findMediaByFilename, readMediaBytes } from "./media";
import { DEFAULT_SCOPE, exchangeToken, issueAccessToken } from "./oauth";
import { ensureDemoPhotos } from "./photos";
import { loseNextAnswers, sendLostAnswer, takeLostAnswer } from "./lost-answers";
import { loadAdminSchema } from "./schema";
import { createState, readMediaStatus, type EmulatorState, type ShopRecord } from "./state";
import { handleStagedUpload, STAGED_PREFIX } from "./uploads";
import { createWebhookSink, deliverWebhook, redeliver, type WebhookDelivery } from "./webhooks";
import { createProduct, type NewProduct } from "./products";

export type { EmulatorState } from "./state";
export type { AttachedMedia, FaultHandle, MutationFault } from "./faults";

export interface EmulatorOptions {
  /** 0 = a random free port (default). */
  port?: number;
  /** The app's client id (default "demo-api-key"). */
  apiKey?: string;
  /** The app's client secret (default "demo-api-secret"): session tokens in token exchange are verified with it. */
  apiSecret?: string;
  /** Cost points restored per second (default 100: Shopify's Standard plan). */
  restoreRate?: number;
  /**
   * Maximum available points (default 2000). Shopify documents restore rates (100/s on Standard) but no
   * longer prints the bucket size; it has always been 20 s of restore (1000 points at the former 50/s),
   * and answers on Standard shops show maximumAvailable 2000.
   */
  bucketSize?: number;
  /** Time a new media spends in UPLOADED, and again in PROCESSING, before READY or FAILED (default 300). */
  mediaProcessingMs?: number;
  /** Default true: creates DEMO_SHOP with the demo catalogue. */
  seedDemoShop?: boolean;
  /** Products in DEMO_SHOP (default: the catalogue once; more repeat it with numbered titles). */
  demoProductCount?: number;
  /** How fast bulk query operations start and run, and how long their result links last. */
  bulk?: BulkOptions;
}

export const DEMO_SHOP = "photo-studio-demo.myshopify.com";

export interface Emulator {
  origin: string;
  close(): Promise<void>;
  addShop(shop: string, opts?: { seed?: boolean; productCount?: number }): void;
  issueToken(shop: string, scope?: string): string;
  revokeToken(token: string): void;
  setThrottle(opts: { restoreRate?: number; bucketSize?: number }): void;
  failNext(shop: string, opts: { status?: number; graphqlErrorCode?: "THROTTLED" | "INTERNAL_SERVER_ERROR"; count?: number }): void;
  /** The next `count` downloads of the shop's media from the CDN answer `status` (default 404). */
  failDownloads(shop: string, opts?: { status?: number; count?: number }): void;
  /** The next `count` requests with `rootField` run, then their answer is lost (cut, or `status` instead). */
  loseNextAnswers(shop: string, rootField: string, opts?: { count?: number; status?: number }): void;
  /** What merchants and Shopify do to subscriptions outside the app's requests. */
  billing: BillingHooks;
  /** Bulk query operations: fault hooks and what was run and downloaded. */
  bulk: BulkControls;
  /** Adds a custom collection of existing products; seeded shops also get the demo collections. */
  addCollection(shop: string, input: { title: string; productIds: string[] }): string;
  /** The chaos harness's hooks: held or dropped answers, merchant edits, PROCESSING holds, attachments. */
  faults: Faults;
  /** Where webhooks go: the app's URL (the topics' uris are shopify.app.toml's); nothing is sent before it is set. */
  setWebhookUrl(appUrl: string | undefined): void;
  /** Every webhook delivery so far, in order. */
  webhookDeliveries(): WebhookDelivery[];
  /** Waits until the deliveries under way have their answers. */
  settleWebhooks(): Promise<void>;
  /** Sends a delivery again, as Shopify does without a 200: same event id, new webhook id. */
  redeliverWebhook(delivery: WebhookDelivery): void;
  /** A merchant creates a product in the admin, with photos (image files): products/create follows, then products/update once its media are READY. */
  createProduct(shop: string, input: NewProduct): Promise<string>;
  state: EmulatorState;
}

const GRAPHQL_PATH = /^\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/;
const OAUTH_PATH = /^\/([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin\/oauth\/access_token$/;
const CDN_PATH = /^\/cdn\/s\/files\/([^/]+)\/files\/([^/]+)$/;
const MAX_GRAPHQL_BODY = 5 * 1024 * 1024;
const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const app = { apiKey: opts.apiKey ?? "demo-api-key", apiSecret: opts.apiSecret ?? "demo-api-secret" };
  const throttle: Throttle = { restoreRate: opts.restoreRate ?? 100, bucketSize: opts.bucketSize ?? 2000 };
  const mediaProcessingMs = opts.mediaProcessingMs ?? 300;
  const uploadSecret = randomBytes(16).toString("hex");
  const state = createState();
  state.webhooks = createWebhookSink(app.apiSecret);
  const lifetime = new AbortController();
  const bulk = registerBulk(state, opts.bulk ?? {}, lifetime.signal);
  const faults = new Faults();
  const [photos] = await Promise.all([ensureDemoPhotos(), Promise.resolve(loadAdminSchema())]);
  let origin = "";

  const addShop = (shop: string, shopOpts: { seed?: boolean; productCount?: number } = {}): ShopRecord => {
    const existing = state.shops.get(shop);
    if (existing) return existing;
    const record = createShop(shop, throttle, shop === DEMO_SHOP);
    record.billing.deliver = (webhook) => deliverWebhook(state.webhooks!, shop, webhook.topic, webhook.payload);
    state.shops.set(shop, record);
    const productCount = shopOpts.productCount ?? (shop === DEMO_SHOP ? opts.demoProductCount : undefined);
    if (shopOpts.seed) {
      seedShop(state, record, photos, { productCount });
      seedCollections(state, record);
    }
    return record;
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { errors: "Internal Server Error" });
      else res.destroy();
      if (!(error instanceof BodyTooLargeError)) process.emitWarning(`emulator: ${(error as Error).stack ?? error}`);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname.startsWith(STAGED_PREFIX)) return handleStagedUpload(req, res, url, state, uploadSecret);
    if (await handleChargePage(req, res, url, state, uploadSecret)) return;
    if (url.pathname.startsWith(BULK_OUTPUT_PREFIX)) return serveBulkResult(state, req, res, url);
    const cdn = CDN_PATH.exec(url.pathname);
    if (cdn && (req.method === "GET" || req.method === "HEAD")) return serveCdn(res, url, cdn[1], decodeURIComponent(cdn[2]));
    const oauth = OAUTH_PATH.exec(url.pathname);
    if (oauth && req.method === "POST") return serveOAuth(req, res, oauth[1]);
    const graphql = GRAPHQL_PATH.exec(url.pathname);
    if (graphql && req.method === "POST") return serveGraphql(req, res, graphql[1], graphql[2]);
    sendJson(res, 404, { errors: "Not Found" });
  }

  async function serveOAuth(req: IncomingMessage, res: ServerResponse, shop: string): Promise<void> {
    const raw = await readBody(req, MAX_GRAPHQL_BODY);
    const isForm = (req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded");
    const body = isForm ? Object.fromEntries(new URLSearchParams(raw.toString("utf8"))) : parseJson(raw);
    const answer = exchangeToken(state, app, shop, body, DEFAULT_SCOPE);
    if (answer.status === 200) addShop(shop, { seed: shop === DEMO_SHOP });
    sendJson(res, answer.status, answer.body);
  }

  async function serveGraphql(req: IncomingMessage, res: ServerResponse, shopDomain: string, version: string): Promise<void> {
    const shop = state.shops.get(shopDomain);
    if (!shop) return sendJson(res, 404, { errors: "Not Found" });
    const header = req.headers["x-shopify-access-token"];
    const token = typeof header === "string" ? state.tokens.get(header) : undefined;
    const now = Date.now();
    if (!token || token.revoked || token.shop !== shopDomain || (token.expiresAt !== undefined && token.expiresAt <= now)) {
      req.resume();
      state.log.push({
        shop: shopDomain,
        operationName: null,
        rootFields: [],
        requestedQueryCost: null,
        actualQueryCost: null,
        throttled: false,
        status: 401,
        at: now,
      });
      return sendJson(res, 401, { errors: INVALID_TOKEN });
    }
    const body = parseJson(await readBody(req, MAX_GRAPHQL_BODY));
    const ctx: AnswerContext = { shop, origin, now, token, state, uploadSecret, mediaProcessingMs, faults };
    const answer = await answerGraphql(ctx, throttle, body);
    state.log.push({
      shop: shopDomain,
      operationName: answer.operationName,
      rootFields: answer.rootFields,
      requestedQueryCost: answer.requestedQueryCost,
      actualQueryCost: answer.actualQueryCost,
      throttled: answer.throttled,
      status: answer.status,
      at: now,
    });
    if ((await faults.settleAnswer(ctx)) === "drop") {
      req.socket.destroy();
      return;
    }
    if (req.socket.destroyed) return;
    const lost = takeLostAnswer(state, shopDomain, answer.rootFields);
    if (lost) return sendLostAnswer(res, lost);
    sendJson(res, answer.status, answer.body, { "X-Shopify-API-Version": version, ...answer.headers });
  }

  const downloadFaults = new Map<string, { status: number; remaining: number }>();

  async function serveCdn(res: ServerResponse, url: URL, shopDomain: string, filename: string): Promise<void> {
    const fault = downloadFaults.get(shopDomain);
    if (fault && fault.remaining > 0) {
      fault.remaining -= 1;
      return sendText(res, fault.status, fault.status === 404 ? "Not Found" : "Service Unavailable");
    }
    const shop = state.shops.get(shopDomain);
    const media = shop && findMediaByFilename(shop, filename);
    if (!media || readMediaStatus(media) !== "READY") return sendText(res, 404, "Not Found");
    const original = await readMediaBytes(media.bytes);
    const width = Number(url.searchParams.get("width")) || undefined;
    const height = Number(url.searchParams.get("height")) || undefined;
    const format = url.searchParams.get("format") as "jpg" | "png" | "webp" | null;
    if (!width && !height && !format) {
      res.writeHead(200, {
        "Content-Type": media.mimeType,
        "Content-Length": original.length,
        "Cache-Control": "public, max-age=31536000",
      });
      res.end(original);
      return;
    }
    // Like Shopify's CDN: resize within the box, never enlarge, and honour a requested format.
    let pipeline = sharp(original).rotate().resize({ width, height, fit: "inside", withoutEnlargement: true });
    if (format) pipeline = pipeline.toFormat(format === "jpg" ? "jpeg" : format);
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    res.writeHead(200, { "Content-Type": `image/${info.format}`, "Content-Length": data.length });
    res.end(data);
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.origin = origin;
  if (opts.seedDemoShop ?? true) addShop(DEMO_SHOP, { seed: true });

  return {
    origin,
    state,
    bulk,
    addCollection: (shop, input) => {
      const record = state.shops.get(shop);
      if (!record) throw new Error(`Unknown shop ${shop}`);
      return addCollection(state, record, input).id;
    },
    faults,
    setWebhookUrl: (appUrl) => {
      state.webhooks!.appUrl = appUrl;
    },
    webhookDeliveries: () => [...state.webhooks!.deliveries],
    settleWebhooks: async () => {
      while (state.webhooks!.pending.size > 0) await Promise.all([...state.webhooks!.pending]);
    },
    redeliverWebhook: (delivery) => redeliver(state.webhooks!, delivery),
    createProduct: async (shop, input) => {
      const record = state.shops.get(shop);
      if (!record) throw new Error(`Unknown shop ${shop}`);
      return (await createProduct(state, record, input, mediaProcessingMs)).id;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        lifetime.abort(new Error("The emulator closed"));
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    addShop: (shop, shopOpts) => void addShop(shop, shopOpts),
    issueToken: (shop, scope) => {
      if (!state.shops.has(shop)) addShop(shop, { seed: shop === DEMO_SHOP });
      return issueAccessToken(state, shop, { scope }).token;
    },
    revokeToken: (token) => {
      const record = state.tokens.get(token);
      if (record) record.revoked = true;
    },
    setThrottle: (next) => {
      const now = Date.now();
      for (const shop of state.shops.values()) readBucket(shop.bucket, throttle, now);
      throttle.restoreRate = next.restoreRate ?? throttle.restoreRate;
      throttle.bucketSize = next.bucketSize ?? throttle.bucketSize;
      for (const shop of state.shops.values()) shop.bucket.available = Math.min(shop.bucket.available, throttle.bucketSize);
    },
    failNext: (shop, fault) => {
      const record = state.shops.get(shop);
      if (!record) throw new Error(`Unknown shop ${shop}`);
      record.faults.push({ status: fault.status, graphqlErrorCode: fault.graphqlErrorCode, remaining: fault.count ?? 1 });
    },
    failDownloads: (shop, fault = {}) => {
      downloadFaults.set(shop, { status: fault.status ?? 404, remaining: fault.count ?? 1 });
    },
    loseNextAnswers: (shop, rootField, lostOpts) => loseNextAnswers(state, shop, rootField, lostOpts),
    billing: createBillingHooks(state),
  };
}

/** The demo shop is a development store, as a partner's demo would be: it approves test charges only. */
function createShop(domain: string, throttle: Throttle, development: boolean): ShopRecord {
  const name = domain
    .replace(/\.myshopify\.com$/, "")
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
  return {
    domain,
    name,
    currencyCode: "USD",
    locales: [{ locale: "en", name: "English", primary: true, published: true }],
    products: new Map(),
    media: new Map(),
    jobs: new Map(),
    bucket: { available: throttle.bucketSize, updatedAt: Date.now() },
    faults: [],
    billing: createShopBilling(development),
  };
}

import type { ShopBilling } from "./billing";
import type { WebhookSink } from "./webhooks";

/** The emulator's in-memory store: shops → products, files (media) and billing; tokens, staged uploads, a request log. */

export type MediaStatus = "UPLOADED" | "PROCESSING" | "READY" | "FAILED";

export interface MediaFailure {
  code: string;
  message: string;
}

/** Where a media's bytes are: in memory (uploaded) or a file on disk (the demo photos). */
export type MediaBytes = { kind: "buffer"; buffer: Buffer } | { kind: "file"; path: string };

export interface MediaRecord {
  id: string;
  numericId: number;
  filename: string;
  alt: string;
  mimeType: string;
  bytes: MediaBytes;
  fileSize: number;
  /** Pixel size as displayed, after EXIF orientation; unknown until the image is decoded. */
  width?: number;
  height?: number;
  failure?: MediaFailure;
  createdAt: number;
  updatedAt: number;
  /** From this time on the media is PROCESSING, and READY (or FAILED) from `readyAt`. */
  processingAt: number;
  readyAt: number;
  originalSource: string;
}

export interface ProductRecord {
  id: string;
  numericId: number;
  title: string;
  handle: string;
  status: "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";
  productType: string;
  vendor: string;
  tags: string[];
  descriptionHtml: string;
  createdAt: number;
  updatedAt: number;
  mediaIds: string[];
}

export interface JobRecord {
  id: string;
  doneAt: number;
}

export interface Fault {
  status?: number;
  graphqlErrorCode?: "THROTTLED" | "INTERNAL_SERVER_ERROR";
  remaining: number;
}

export interface Bucket {
  available: number;
  updatedAt: number;
}

export interface ShopRecord {
  domain: string;
  name: string;
  currencyCode: string;
  /** The shop's languages, as `shopLocales` answers them; exactly one is primary. */
  locales: { locale: string; name: string; primary: boolean; published: boolean }[];
  products: Map<string, ProductRecord>;
  media: Map<string, MediaRecord>;
  jobs: Map<string, JobRecord>;
  bucket: Bucket;
  faults: Fault[];
  billing: ShopBilling;
}

export interface TokenRecord {
  token: string;
  shop: string;
  scope: string;
  online: boolean;
  expiresAt?: number;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  shop: string;
  scope: string;
  expiresAt: number;
}

export interface StagedUpload {
  key: string;
  shop: string;
  filename: string;
  mimeType: string;
  httpMethod: "POST" | "PUT";
  declaredSize?: number;
  bytes?: Buffer;
}

export interface LostAnswer {
  shop: string;
  rootField: string;
  remaining: number;
  /** Answer this status instead of the result; without one the connection is cut. */
  status?: number;
}

export interface RequestLogEntry {
  shop: string;
  operationName: string | null;
  rootFields: string[];
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttled: boolean;
  status: number;
  at: number;
}

export interface EmulatorState {
  shops: Map<string, ShopRecord>;
  tokens: Map<string, TokenRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  uploads: Map<string, StagedUpload>;
  log: RequestLogEntry[];
  /** Answers to drop after their request ran (see lost-answers.ts). */
  lostAnswers: LostAnswer[];
  /** The next numeric id for products, media, images and jobs: one sequence, like Shopify's large ids. */
  nextId: number;
  /** Where webhooks go (the app's URL once set) and what was delivered. */
  webhooks?: WebhookSink;
  /** The emulator's own origin, for URLs in webhook payloads. */
  origin?: string;
}

export function createState(): EmulatorState {
  return {
    shops: new Map(),
    tokens: new Map(),
    refreshTokens: new Map(),
    uploads: new Map(),
    log: [],
    lostAnswers: [],
    nextId: 8_400_000_000_001,
  };
}

export function takeId(state: EmulatorState): number {
  return state.nextId++;
}

/** A stable numeric id for a shop, as in `gid://shopify/Shop/<id>`. */
export function shopNumericId(domain: string): number {
  let hash = 0;
  for (const char of domain) hash = (hash * 31 + char.charCodeAt(0)) % 90_000_000_000;
  return 10_000_000_000 + hash;
}

export function productGid(numericId: number): string {
  return `gid://shopify/Product/${numericId}`;
}

export function mediaGid(numericId: number): string {
  return `gid://shopify/MediaImage/${numericId}`;
}

/** A media's status at `now`: it moves on by time alone, as Shopify's asynchronous processing does. */
export function readMediaStatus(media: MediaRecord, now = Date.now()): MediaStatus {
  if (now < media.processingAt) return "UPLOADED";
  if (now < media.readyAt) return "PROCESSING";
  return media.failure ? "FAILED" : "READY";
}

export function findProductsReferencing(shop: ShopRecord, mediaId: string): ProductRecord[] {
  return [...shop.products.values()].filter((p) => p.mediaIds.includes(mediaId));
}

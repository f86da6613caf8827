import { MAX_PHOTOS } from "~/models/constants";
import type { AdminApi } from "./admin-api.server";
import {
  BULK_OPERATION_CANCEL_MUTATION,
  BULK_OPERATION_QUERY,
  BULK_OPERATION_RUN_QUERY_MUTATION,
  bulkCatalogProductsQuery,
  CATALOG_PRODUCTS_BY_IDS_QUERY,
  UNFINISHED_BULK_OPERATIONS_QUERY,
} from "./documents";
import { AdminApiError, describeUserError } from "./errors";
import { isShopifyHostedUrl } from "./fetch-image.server";

/**
 * Reading the catalogue at any size, for web and worker alike. A selection ("all products", a collection,
 * a search) is read with a bulk query operation: one mutation, a few polls, then the JSONL result streamed
 * line by line, product by product. An explicit list of products is read with `nodes(ids:)` in chunks.
 * Every Admin API call goes through `AdminApi`, so the shared pacer and retries apply.
 *
 * Shopify's rules this follows (Admin API 2026-10, https://shopify.dev/docs/api/usage/bulk-operations/queries):
 * up to five bulk query operations per app and shop at once (2026-01 and later; more answer
 * OPERATION_IN_PROGRESS); poll with `bulkOperation(id:)`; results are signed Google Cloud Storage links
 * that expire seven days after completion (status EXPIRED).
 */

export type CatalogSelection = { kind: "all" } | { kind: "collection"; collectionId: string } | { kind: "search"; query: string };

export interface CatalogImage {
  id: string;
  url: string;
  width: number | null;
  height: number | null;
  alt: string | null;
}

export interface CatalogProduct {
  id: string;
  title: string;
  status: string;
  /** The product's first media (Shopify's featured media) when it is a processed image. */
  featuredImage: CatalogImage | null;
  /** The processed images among the product's first MAX_PHOTOS media, in gallery order. */
  images: CatalogImage[];
}

export interface CompletedBulkOperation {
  id: string;
  /** Null when the query matched nothing: Shopify then writes no file. */
  url: string | null;
  objectCount: number;
  fileSize: number | null;
}

/** What a download did, filled in as it goes (for logs and figures). */
export interface BulkReadStats {
  bytes: number;
  lines: number;
  /** The most text held at once waiting for the end of its line: bounded by a chunk plus a line. */
  largestBufferedChars: number;
}

export interface BulkReadOptions {
  signal?: AbortSignal;
  /** Waiting for an operation: the first pause, the longest, and the time after which to give up (transient). */
  poll?: { initialMs?: number; maxMs?: number; timeoutMs?: number };
  stats?: BulkReadStats;
}

/** Shopify's storage host for bulk results (https://storage.googleapis.com/shopify-tiers-assets-…/bulk-operation-outputs/…). */
const RESULT_HOSTS = new Set(["storage.googleapis.com"]);
const DEFAULT_POLL = { initialMs: 1_000, maxMs: 10_000, timeoutMs: 20 * 60_000 };
const POLL_GROWTH = 1.5;
const MAX_LINE_CHARS = 1_000_000;
const DOWNLOAD_TRIES = 3;

/**
 * Products per `nodes(ids:)` call: Shopify refuses a query whose requested cost exceeds 1,000 points, and
 * each product with its first MAX_PHOTOS media requests 1 + 2 + MAX_PHOTOS × 2 = 13 of them.
 */
export const PRODUCTS_PER_NODES_CALL = Math.min(250, Math.floor(1000 / (3 + 2 * MAX_PHOTOS)));

/** The bulk query for a selection. */
export function catalogQuery(selection: CatalogSelection): string {
  switch (selection.kind) {
    case "all":
      return bulkCatalogProductsQuery(null);
    case "collection": {
      const numericId = /^gid:\/\/shopify\/Collection\/(\d+)$/.exec(selection.collectionId)?.[1];
      if (!numericId) throw new AdminApiError("USER_ERROR", `Not a collection id: ${selection.collectionId.slice(0, 100)}`, false);
      return bulkCatalogProductsQuery(`collection_id:${numericId}`);
    }
    case "search": {
      const query = selection.query.trim();
      if (!query) throw new AdminApiError("USER_ERROR", "The product search is empty.", false);
      return bulkCatalogProductsQuery(query);
    }
  }
}

/** Start, wait, stream: every product of the selection, one at a time. */
export async function* readCatalog(api: AdminApi, selection: CatalogSelection, opts: BulkReadOptions = {}): AsyncGenerator<CatalogProduct> {
  const id = await startBulkQuery(api, catalogQuery(selection), opts);
  const operation = await waitForBulkOperation(api, id, opts);
  yield* readBulkProducts(api, operation, opts);
}

/**
 * Starts a bulk query and answers its id. An operation already running the same query is reused (a retry,
 * or a second worker on the same selection); with Shopify's five already running, it waits for a free place.
 */
export async function startBulkQuery(api: AdminApi, query: string, opts: BulkReadOptions = {}): Promise<string> {
  const poll = { ...DEFAULT_POLL, ...opts.poll };
  const deadline = Date.now() + poll.timeoutMs;
  let delay = poll.initialMs;
  for (;;) {
    const { bulkOperations } = await api.request(UNFINISHED_BULK_OPERATIONS_QUERY, {}, { signal: opts.signal });
    const same = bulkOperations.nodes.find((op) => op.type === "QUERY" && op.query === query);
    if (same) return same.id;

    let answer;
    try {
      answer = await api.request(BULK_OPERATION_RUN_QUERY_MUTATION, { query, groupObjects: true }, { signal: opts.signal });
    } catch (error) {
      // Perhaps it ran and only the answer was lost: the next turn finds it among the unfinished ones.
      if (!(error instanceof AdminApiError) || !error.transient || Date.now() + delay > deadline) throw error;
      await sleep(delay, opts.signal);
      delay = Math.min(poll.maxMs, delay * POLL_GROWTH);
      continue;
    }
    const payload = answer.bulkOperationRunQuery;
    if (payload?.bulkOperation && payload.userErrors.length === 0) return payload.bulkOperation.id;
    const userErrors = payload?.userErrors ?? [];
    const busy = userErrors.some((e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED");
    if (!busy) {
      throw new AdminApiError(
        "USER_ERROR",
        `bulkOperationRunQuery: ${userErrors.map(describeUserError).join("; ") || "no operation"}`,
        false,
        userErrors,
      );
    }
    if (Date.now() + delay > deadline) {
      throw new AdminApiError(
        "BULK_BUSY",
        "Shopify is already running as many catalogue reads for this store as it allows; try again in a few minutes.",
        true,
        {
          userErrors,
        },
      );
    }
    await sleep(delay, opts.signal);
    delay = Math.min(poll.maxMs, delay * POLL_GROWTH);
  }
}

/** Polls the operation with growing pauses until it completes; a failed, cancelled or expired one throws. */
export async function waitForBulkOperation(api: AdminApi, id: string, opts: BulkReadOptions = {}): Promise<CompletedBulkOperation> {
  const poll = { ...DEFAULT_POLL, ...opts.poll };
  const deadline = Date.now() + poll.timeoutMs;
  let delay = poll.initialMs;
  for (;;) {
    const { bulkOperation: op } = await api.request(BULK_OPERATION_QUERY, { id }, { signal: opts.signal });
    if (!op) throw new AdminApiError("BULK_NOT_FOUND", `Shopify has no bulk operation ${id} for this app and store.`, false, { id });
    switch (op.status) {
      case "COMPLETED":
        return { id, url: op.url ?? null, objectCount: Number(op.objectCount), fileSize: op.fileSize == null ? null : Number(op.fileSize) };
      case "FAILED": {
        const transient = op.errorCode !== "ACCESS_DENIED";
        const reason =
          op.errorCode === "ACCESS_DENIED"
            ? "the app is not allowed to read products (missing access scope)"
            : op.errorCode === "TIMEOUT"
              ? "it took Shopify too long"
              : "Shopify had an internal error";
        throw new AdminApiError("BULK_FAILED", `Reading the catalogue failed: ${reason}.`, transient, {
          id,
          errorCode: op.errorCode,
          objectCount: Number(op.objectCount),
          partialDataUrl: op.partialDataUrl,
        });
      }
      case "CANCELED":
        throw new AdminApiError("BULK_CANCELED", "Reading the catalogue was cancelled before it finished.", true, { id });
      case "EXPIRED":
        throw expired(id);
      case "CREATED":
      case "RUNNING":
      case "CANCELING":
        break; // still under way: asked again below
    }
    if (Date.now() + delay > deadline) {
      throw new AdminApiError(
        "BULK_TIMEOUT",
        `Shopify was still reading the catalogue after ${Math.round(poll.timeoutMs / 1000)} s.`,
        true,
        {
          id,
          objectCount: Number(op.objectCount),
        },
      );
    }
    await sleep(delay, opts.signal);
    delay = Math.min(poll.maxMs, delay * POLL_GROWTH);
  }
}

export async function cancelBulkOperation(api: AdminApi, id: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const answer = await api.request(BULK_OPERATION_CANCEL_MUTATION, { id }, { signal: opts.signal, idempotent: true });
  const errors = answer.bulkOperationCancel?.userErrors ?? [];
  // An operation that has already stopped needs no cancelling.
  if (errors.length && !errors.every((e) => /cannot be canceled when it is/.test(e.message))) {
    throw new AdminApiError("USER_ERROR", `bulkOperationCancel: ${errors.map(describeUserError).join("; ")}`, false, errors);
  }
}

function expired(id: string): AdminApiError {
  return new AdminApiError(
    "BULK_EXPIRED",
    "The catalogue read's result is no longer available from Shopify; it has to be read again.",
    true,
    { id },
  );
}

// The bulk result's JSONL lines (no typed response: see bulkCatalogProductsQuery); the nodes(ids:) answer,
// typed by the codegen, has the same fields.
interface ProductLine {
  id: string;
  title: string;
  status: string;
}

interface MediaLine {
  id: string;
  alt?: string | null;
  status: string;
  mediaContentType: string;
  image?: { url: string; width?: number | null; height?: number | null } | null;
  __parentId?: string;
}

/**
 * Streams a completed operation's JSONL and yields each product once its media lines have followed it
 * (the run asks for groupObjects, which puts children right after their parent). At most one product is
 * held at a time, and of its media only the first MAX_PHOTOS.
 */
export async function* readBulkProducts(
  api: AdminApi,
  operation: CompletedBulkOperation,
  opts: BulkReadOptions = {},
): AsyncGenerator<CatalogProduct> {
  if (!operation.url) return;
  const body = await openResult(api, operation, opts.signal);
  let current: { product: ProductLine; media: MediaLine[] } | null = null;
  for await (const line of readLines(body, opts.stats)) {
    let object: (ProductLine & MediaLine) | null;
    try {
      object = JSON.parse(line);
    } catch {
      throw new AdminApiError("BULK_RESULT_INVALID", "Shopify's catalogue file has a line that is not JSON.", false, {
        line: line.slice(0, 200),
      });
    }
    if (!object?.id) continue;
    if (!object.__parentId) {
      if (current) yield toCatalogProduct(current.product, current.media);
      current = { product: object, media: [] };
    } else if (current && object.__parentId === current.product.id) {
      if (current.media.length < MAX_PHOTOS) current.media.push(object);
    } else {
      throw new AdminApiError("BULK_RESULT_INVALID", "Shopify's catalogue file lists a media away from its product.", false, {
        parentId: object.__parentId,
      });
    }
  }
  if (current) yield toCatalogProduct(current.product, current.media);
}

function toCatalogProduct(product: ProductLine, media: MediaLine[]): CatalogProduct {
  const images = media.filter((m) => m.mediaContentType === "IMAGE" && m.status === "READY" && m.image?.url).map(toCatalogImage);
  return {
    id: product.id,
    title: product.title,
    status: product.status,
    featuredImage: media[0] && images[0]?.id === media[0].id ? images[0] : null,
    images,
  };
}

function toCatalogImage(media: MediaLine): CatalogImage {
  return {
    id: media.id,
    url: media.image!.url,
    width: media.image!.width ?? null,
    height: media.image!.height ?? null,
    alt: media.alt || null,
  };
}

/**
 * Opens the result for reading, only from Shopify's storage host (or the emulator in demo and test setups):
 * the URL comes from an API answer, and fetching anything else would let it point the server elsewhere.
 * A refused link (expired, or re-signed meanwhile) is looked up again once.
 */
async function openResult(api: AdminApi, operation: CompletedBulkOperation, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  let url = operation.url!;
  let relooked = false;
  for (let attempt = 1; ; attempt++) {
    const target = new URL(url);
    if (!isShopifyHostedUrl(target, RESULT_HOSTS)) {
      throw new AdminApiError("URL_NOT_ALLOWED", "Shopify's catalogue file must come from Shopify's storage.", false, {
        host: target.hostname,
      });
    }
    let response: Response;
    try {
      response = await api.fetch(target, { redirect: "manual", signal, headers: { Accept: "application/jsonl" } });
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (attempt >= DOWNLOAD_TRIES)
        throw new AdminApiError("NETWORK_ERROR", `Could not download the catalogue file: ${(cause as Error).message}`, true);
      await sleep(500 * 2 ** attempt, signal);
      continue;
    }
    if (response.ok && response.body) return response.body;
    await response.body?.cancel();
    if ([400, 403, 404].includes(response.status) && !relooked) {
      relooked = true;
      const fresh = await waitForBulkOperation(api, operation.id, { signal, poll: { timeoutMs: 0 } });
      if (!fresh.url || fresh.url === url) throw expired(operation.id);
      url = fresh.url;
      continue;
    }
    if ([400, 403, 404].includes(response.status)) throw expired(operation.id);
    const transient = response.status === 429 || response.status >= 500;
    if (!transient || attempt >= DOWNLOAD_TRIES) {
      throw new AdminApiError("NETWORK_ERROR", `Downloading the catalogue file failed (HTTP ${response.status}).`, transient, {
        status: response.status,
      });
    }
    await sleep(500 * 2 ** attempt, signal);
  }
}

/** The body's lines, decoded as they arrive; only the unfinished last line is kept between chunks. */
async function* readLines(body: ReadableStream<Uint8Array>, stats?: BulkReadStats): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const reader = body.getReader();
  let pending = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (stats) stats.bytes += value.byteLength;
      pending += decode(decoder, value);
      if (stats && pending.length > stats.largestBufferedChars) stats.largestBufferedChars = pending.length;
      let start = 0;
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
        const line = pending.slice(start, end);
        start = end + 1;
        if (stats) stats.lines += 1;
        if (line) yield line;
      }
      pending = pending.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        throw new AdminApiError("BULK_RESULT_INVALID", "Shopify's catalogue file has a line longer than the app reads.", false);
      }
    }
  } finally {
    // Also when the reader stops early: the rest of the download is not wanted.
    await reader.cancel().catch(() => {});
  }
  pending += decode(decoder);
  if (pending) {
    if (stats) stats.lines += 1;
    yield pending;
  }
}

function decode(decoder: TextDecoder, bytes?: Uint8Array): string {
  try {
    return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
  } catch {
    throw new AdminApiError("BULK_RESULT_INVALID", "Shopify's catalogue file is not UTF-8 text.", false);
  }
}

/**
 * Reads products by id in chunks of PRODUCTS_PER_NODES_CALL (Shopify takes at most 250 ids a call, and the
 * chunk keeps each call under the 1,000-point query limit). Ids that are not products of this store any
 * more come back as `missingIds`.
 */
export async function* readProductsByIds(
  api: AdminApi,
  ids: readonly string[],
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<{ products: CatalogProduct[]; missingIds: string[] }> {
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += PRODUCTS_PER_NODES_CALL) {
    const chunk = unique.slice(start, start + PRODUCTS_PER_NODES_CALL);
    const { nodes } = await api.request(CATALOG_PRODUCTS_BY_IDS_QUERY, { ids: chunk, mediaFirst: MAX_PHOTOS }, { signal: opts.signal });
    const products: CatalogProduct[] = [];
    const missingIds: string[] = [];
    chunk.forEach((id, index) => {
      const node = nodes[index];
      // A node of another type matches no fragment and comes back as {}.
      if (node?.id === id) products.push(toCatalogProduct(node, node.media.nodes));
      else missingIds.push(id);
    });
    yield { products, missingIds };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

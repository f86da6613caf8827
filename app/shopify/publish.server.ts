import type { MarkedMediaFieldsFragment } from "../types/admin.generated";
import type { CreateMediaInput, MediaStatus } from "../types/admin.types";
import { AdminApiError, assertNoUserErrors, type AdminApi } from "./admin-api.server";
import {
  FILE_DELETE_MUTATION,
  FILE_UPDATE_MUTATION,
  JOB_STATUS_QUERY,
  MEDIA_STATUS_QUERY,
  PRODUCT_ATTACH_MEDIA_MUTATION,
  PRODUCT_MARKED_MEDIA_QUERY,
  PRODUCT_MEDIA_STATE_QUERY,
  PRODUCT_REORDER_MEDIA_MUTATION,
} from "./documents";
import { describeUserError, type UserErrorLike } from "./errors";
import { stageFiles, type StagedUploadMethod } from "./staged-upload.server";

/** Shopify's limit of media per product. */
export const MAX_MEDIA_PER_PRODUCT = 250;

// Every media the app attaches carries a marker tied to its key (the output id): its staged file is named
// `<name>-<key>.<ext>`. Shopify keeps that name in the media's `originalSource.url` and, once READY, in
// `image.url`, appending `_<uuid>` when the shop already has a file of that name. The marker, never a count
// or a position, is how the app tells its media from the merchant's: on a retry, after a lost answer, and
// on restore.

const KEY = /^[a-z0-9]{8,64}$/;
const EXTENSIONS: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };

export function markedFilename(name: string, key: string, mimeType: string): string {
  if (!KEY.test(key)) throw new Error(`A media key must be 8-64 lowercase letters and digits: ${key}`);
  const base = name
    .normalize("NFKD")
    .replace(/[^\w-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase()
    .slice(0, 80);
  return `${base || "image"}-${key}.${EXTENSIONS[mimeType] ?? "jpg"}`;
}

/** The key whose marker a media URL carries, if any: `-<key>` followed by the extension or Shopify's suffix. */
export function readMarker(url: string | null | undefined, keys: ReadonlySet<string>): string | undefined {
  if (!url) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "").toLowerCase();
  } catch {
    return undefined;
  }
  for (const match of name.matchAll(/-([a-z0-9]+)(?=[._-]|$)/g)) {
    if (keys.has(match[1])) return match[1];
  }
  return undefined;
}

export interface PublishImage {
  /** The caller's id for this image (the output id): the marker its media carries. */
  key: string;
  data: Buffer;
  /** The readable start of the file name (e.g. the product title); the marker is added to it. */
  name: string;
  mimeType: string;
  alt: string;
}

/**
 * Runs `work` holding the product's media lock; `work`'s signal aborts if the lock is lost. Every write to
 * one product's media happens under it, so two publishes or a publish and a restore never interleave.
 */
export type ProductLock = <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export interface PublishInput {
  productId: string;
  images: PublishImage[];
  position: "append" | "first";
  /**
   * Whether an earlier attempt may have attached some of these images (the caller recorded an attach):
   * then the product's media are searched for their markers first, and what is found is adopted.
   */
  search: boolean;
  lock?: ProductLock;
  /** Called after the uploads and before productUpdate is sent: the caller records that an attach may follow. */
  beforeAttach?: (keys: string[]) => Promise<void>;
  /** Called once, still under the lock, with every image's media id (adopted or new). */
  onMediaIds?: (mediaIdByKey: Map<string, string>) => Promise<void>;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
  stagedUploadMethod?: StagedUploadMethod;
}

export interface PublishResult {
  key: string;
  mediaId: string;
  status: "READY" | "FAILED";
  error?: string;
}

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_POLL_TIMEOUT_MS = 180_000;
/** Media the merchant may add while productUpdate runs, beyond ours, that its answer's window still covers. */
const ATTACH_ANSWER_SLACK = 10;

const runUnlocked: ProductLock = (work) => work(new AbortController().signal);

/**
 * Writes images to a product's media exactly once, safely repeatable: with `search`, media already carrying
 * an image's marker are adopted instead of attached again, so a worker killed after productUpdate ran (its
 * answer lost, its ids unsaved) attaches nothing new on its retry. Nothing is attached when the product is
 * gone or full; media that fail Shopify's processing are reported per image and removed from the product.
 */
export async function publishImages(api: AdminApi, input: PublishInput): Promise<{ results: PublishResult[] }> {
  const { productId, images } = input;
  if (images.length === 0) return { results: [] };
  const lock = input.lock ?? runUnlocked;
  const pollIntervalMs = input.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const pollTimeoutMs = input.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  const filenames = new Map(images.map((image) => [image.key, markedFilename(image.name, image.key, image.mimeType)]));

  const mediaIdByKey = await lock(async (lockSignal) => {
    const signal = input.signal ? AbortSignal.any([input.signal, lockSignal]) : lockSignal;
    const keys = images.map((image) => image.key);
    const found = new Map<string, string>();
    let count: number;
    if (input.search) {
      const marked = await findMarkedMedia(api, productId, keys, {
        waitForUnidentified: { intervalMs: pollIntervalMs, timeoutMs: pollTimeoutMs },
        signal,
      });
      if (!marked) throw productNotFound(productId);
      for (const [key, nodes] of marked.byKey) found.set(key, nodes[0].id);
      // An earlier attach that Shopify finished after its answer was given up on leaves a second copy: ours by its marker.
      const copies = [...marked.byKey.values()].flatMap((nodes) => nodes.slice(1));
      if (copies.length > 0) await removeMedia(api, productId, copies, signal);
      count = marked.count - copies.length;
    } else {
      const { product } = await api.request(PRODUCT_MEDIA_STATE_QUERY, { id: productId }, { signal });
      if (!product) throw productNotFound(productId);
      // Nullable in the schema; without it Shopify's own limit still refuses an attach past it (MEDIA_LIMIT).
      count = product.mediaCount?.count ?? 0;
    }

    const toUpload = images.filter((image) => !found.has(image.key));
    if (toUpload.length > 0) {
      if (count + toUpload.length > MAX_MEDIA_PER_PRODUCT) throw mediaLimit(count, toUpload.length);
      const files = toUpload.map((image) => ({ data: image.data, filename: filenames.get(image.key)!, mimeType: image.mimeType }));
      const sources = await stageFiles(api, files, input.stagedUploadMethod);
      signal.throwIfAborted();
      await input.beforeAttach?.(toUpload.map((image) => image.key));
      for (const [key, mediaId] of await attachMedia(api, productId, toUpload, sources, signal)) found.set(key, mediaId);
    }
    await input.onMediaIds?.(found);
    return found;
  });

  const mediaIds = images.map((image) => mediaIdByKey.get(image.key)!);
  const outcomes = await waitForProcessing(api, mediaIds, pollIntervalMs, pollTimeoutMs, input.signal);
  const failedIds = mediaIds.filter((id) => outcomes.get(id)?.status === "FAILED" && outcomes.get(id)?.present);
  const readyIds = mediaIds.filter((id) => outcomes.get(id)?.status === "READY");
  const moving = input.position === "first" && readyIds.length > 0;
  if (failedIds.length > 0 || moving) {
    await lock(async () => {
      if (failedIds.length > 0) await deleteFiles(api, failedIds);
      if (moving) await moveToFront(api, productId, readyIds, pollIntervalMs, pollTimeoutMs);
    });
  }

  const results = images.map((image): PublishResult => {
    const mediaId = mediaIdByKey.get(image.key)!;
    const outcome = outcomes.get(mediaId)!;
    return outcome.status === "READY"
      ? { key: image.key, mediaId, status: "READY" }
      : { key: image.key, mediaId, status: "FAILED", error: outcome.error };
  });
  return { results };
}

/**
 * ONE productUpdate for all images; their media are picked out of its answer by marker. When the answer is
 * lost or thrown away after Shopify may have run the mutation, the product is searched for the markers:
 * what is there is adopted; otherwise the error goes up, and the retry (which searches first) decides.
 */
async function attachMedia(
  api: AdminApi,
  productId: string,
  images: PublishImage[],
  sources: string[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const keys = images.map((image) => image.key);
  const variables = {
    product: { id: productId },
    media: images.map((image, index): CreateMediaInput => ({ originalSource: sources[index], alt: image.alt, mediaContentType: "IMAGE" })),
    window: Math.min(MAX_MEDIA_PER_PRODUCT, images.length + ATTACH_ANSWER_SLACK),
  };
  let answer;
  try {
    answer = await api.request(PRODUCT_ATTACH_MEDIA_MUTATION, variables, { idempotent: false, signal });
  } catch (error) {
    // A refusal (bad request, revoked token) means the mutation did not run; anything else leaves doubt.
    if (signal.aborted || (error instanceof AdminApiError && !error.transient)) throw error;
    const marked = await findMarkedMedia(api, productId, keys, { signal }).catch(() => undefined);
    if (marked && keys.every((key) => marked.byKey.has(key))) return new Map(keys.map((key) => [key, marked.byKey.get(key)![0].id]));
    throw error;
  }
  const payload = answer.productUpdate;
  if (payload?.userErrors.length) throw classifyAttachErrors(productId, payload.userErrors);
  if (!payload?.product) throw productNotFound(productId);

  let byKey = groupByMarker(payload.product.media.nodes, new Set(keys)).byKey;
  // More media than the window were added at the same moment: look at all of them.
  if (!keys.every((key) => byKey.has(key))) byKey = (await findMarkedMedia(api, productId, keys, { signal }))?.byKey ?? new Map();
  const missing = keys.filter((key) => !byKey.has(key));
  if (missing.length > 0) {
    throw new AdminApiError("GRAPHQL_ERROR", "Shopify's answer did not show the new media; they will be looked for again.", true, {
      missing,
    });
  }
  return new Map(keys.map((key) => [key, byKey.get(key)![0].id]));
}

export interface MarkedMedia {
  count: number;
  /** Media carrying each key's marker, in the product's order (more than one only if something went wrong before). */
  byKey: Map<string, { id: string; status: MediaStatus }[]>;
}

/**
 * The product's media that carry the markers of `keys`; null when the product is gone. A media that is
 * not READY and has no `originalSource` yet cannot be told apart: with `waitForUnidentified`, while some key
 * is still unaccounted for, the product is read again until it can (or the time is up, a transient error).
 */
export async function findMarkedMedia(
  api: AdminApi,
  productId: string,
  keys: string[],
  opts: { waitForUnidentified?: { intervalMs: number; timeoutMs: number }; signal?: AbortSignal } = {},
): Promise<MarkedMedia | null> {
  const deadline = Date.now() + (opts.waitForUnidentified?.timeoutMs ?? 0);
  for (;;) {
    const { product } = await api.request(PRODUCT_MARKED_MEDIA_QUERY, { id: productId }, { signal: opts.signal });
    if (!product) return null;
    const { byKey, unidentified } = groupByMarker(product.media.nodes, new Set(keys));
    const settled = unidentified === 0 || keys.every((key) => byKey.has(key));
    if (settled || !opts.waitForUnidentified) return { count: product.mediaCount?.count ?? product.media.nodes.length, byKey };
    if (Date.now() + opts.waitForUnidentified.intervalMs > deadline) {
      throw new AdminApiError(
        "MEDIA_TIMEOUT",
        `Shopify has not yet shown what ${unidentified} new media on the product are, so nothing was attached again.`,
        true,
        {
          unidentified,
        },
      );
    }
    await sleep(opts.waitForUnidentified.intervalMs, opts.signal);
  }
}

function groupByMarker(nodes: MarkedMediaFieldsFragment[], keys: ReadonlySet<string>) {
  const byKey = new Map<string, { id: string; status: MediaStatus }[]>();
  let unidentified = 0;
  for (const node of nodes) {
    // Only images carry the marker (the app attaches nothing else).
    const sourceUrl = "originalSource" in node ? node.originalSource?.url : undefined;
    const imageUrl = "image" in node ? node.image?.url : undefined;
    const key = readMarker(sourceUrl, keys) ?? readMarker(imageUrl, keys);
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), { id: node.id, status: node.status }]);
    else if (node.status !== "READY" && node.status !== "FAILED" && !sourceUrl) unidentified += 1;
  }
  return { byKey, unidentified };
}

function classifyAttachErrors(productId: string, errors: UserErrorLike[]): AdminApiError {
  const text = errors.map(describeUserError).join("; ");
  if (errors.some((e) => /does not exist|not found/i.test(e.message) && (e.field ?? []).join(".").match(/^(id|product)/))) {
    return productNotFound(productId);
  }
  if (errors.some((e) => /limit/i.test(e.message))) {
    return new AdminApiError("MEDIA_LIMIT", `The product has too many images: ${text}`, false, errors);
  }
  return new AdminApiError("USER_ERROR", `productUpdate: ${text}`, false, errors);
}

interface Outcome {
  status: "READY" | "FAILED";
  error?: string;
  /** False when the media disappeared from Shopify while processing. */
  present: boolean;
}

/** Polls `nodes(ids:)` until every media is READY or FAILED; past the deadline it gives up (transient). */
async function waitForProcessing(
  api: AdminApi,
  mediaIds: string[],
  intervalMs: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = [...new Set(mediaIds)].filter((id) => !outcomes.has(id));
    if (pending.length === 0) return outcomes;
    const { nodes } = await api.request(MEDIA_STATUS_QUERY, { ids: pending }, { signal });
    pending.forEach((id, index) => {
      const node = nodes[index];
      if (!node?.status) {
        outcomes.set(id, { status: "FAILED", error: "The image was removed from Shopify while it was being processed.", present: false });
      } else if (node.status === "READY") {
        outcomes.set(id, { status: "READY", present: true });
      } else if (node.status === "FAILED") {
        const reason = node.mediaErrors?.map((e) => e.message).join("; ") || "Shopify could not process the image.";
        outcomes.set(id, { status: "FAILED", error: reason, present: true });
      }
    });
    if (outcomes.size === new Set(mediaIds).size) return outcomes;
    if (Date.now() + intervalMs > deadline) {
      throw new AdminApiError(
        "MEDIA_TIMEOUT",
        `Shopify was still processing ${pending.length} image(s) after ${Math.round(timeoutMs / 1000)} s.`,
        true,
        {
          pending,
        },
      );
    }
    await sleep(intervalMs, signal);
  }
}

/** productReorderMedia runs as a Job; moves apply in order, so READY media land at 0, 1, 2… in input order. */
async function moveToFront(api: AdminApi, productId: string, mediaIds: string[], intervalMs: number, timeoutMs: number): Promise<void> {
  const moves = mediaIds.map((id, index) => ({ id, newPosition: String(index) }));
  const answer = await api.request(PRODUCT_REORDER_MEDIA_MUTATION, { id: productId, moves }, { idempotent: true });
  const payload = answer.productReorderMedia;
  if (payload?.mediaUserErrors.some((e) => e.code === "PRODUCT_DOES_NOT_EXIST")) throw productNotFound(productId);
  assertNoUserErrors(payload, "productReorderMedia");
  let job = payload?.job;
  const deadline = Date.now() + timeoutMs;
  while (job && !job.done) {
    if (Date.now() + intervalMs > deadline) {
      throw new AdminApiError("MEDIA_TIMEOUT", "Shopify did not finish reordering the product's images in time.", true, { jobId: job.id });
    }
    await sleep(Math.min(intervalMs, 500));
    job = (await api.request(JOB_STATUS_QUERY, { id: job.id })).job;
  }
}

/** Deletes the app's own files; one already gone is what was wanted. */
async function deleteFiles(api: AdminApi, fileIds: string[]): Promise<void> {
  const answer = await api.request(FILE_DELETE_MUTATION, { fileIds }, { idempotent: true });
  const errors = answer.fileDelete?.userErrors.filter((e) => e.code !== "FILE_DOES_NOT_EXIST") ?? [];
  assertNoUserErrors({ userErrors: errors }, "fileDelete");
}

/**
 * Removes from the product the media carrying the markers of `keys`, and nothing else: the merchant's
 * media and the app's media of other outputs stay. A key with no media left on the product is reported in
 * `alreadyGone`. READY media are detached with fileUpdate (the file stays in the store's Files in case the
 * merchant uses it elsewhere); media that never became READY cannot be updated, and being the app's own
 * unusable files they are deleted. Run it under the product's lock.
 */
export async function restoreImages(
  api: AdminApi,
  input: { productId: string; keys: string[]; signal?: AbortSignal },
): Promise<{ removed: string[]; alreadyGone: string[] }> {
  const keys = [...new Set(input.keys)];
  if (keys.length === 0) return { removed: [], alreadyGone: [] };
  const marked = await findMarkedMedia(api, input.productId, keys, { signal: input.signal });
  const onProduct = keys.flatMap((key) => marked?.byKey.get(key) ?? []);
  await removeMedia(api, input.productId, onProduct, input.signal);
  return { removed: onProduct.map((media) => media.id), alreadyGone: keys.filter((key) => !marked?.byKey.has(key)) };
}

async function removeMedia(
  api: AdminApi,
  productId: string,
  media: { id: string; status: MediaStatus }[],
  signal?: AbortSignal,
): Promise<void> {
  const ready = media.filter((m) => m.status === "READY").map((m) => m.id);
  const unfinished = media.filter((m) => m.status !== "READY").map((m) => m.id);
  if (ready.length > 0) {
    const files = ready.map((id) => ({ id, referencesToRemove: [productId] }));
    const answer = await api.request(FILE_UPDATE_MUTATION, { files }, { idempotent: true, signal });
    assertNoUserErrors(answer.fileUpdate, "fileUpdate");
  }
  if (unfinished.length > 0) await deleteFiles(api, unfinished);
}

function productNotFound(productId: string): AdminApiError {
  return new AdminApiError("PRODUCT_NOT_FOUND", "The product no longer exists in Shopify.", false, { productId });
}

function mediaLimit(count: number, adding: number): AdminApiError {
  return new AdminApiError(
    "MEDIA_LIMIT",
    `The product already has ${count} images; adding ${adding} would pass Shopify's limit of ${MAX_MEDIA_PER_PRODUCT}. Remove some images first.`,
    false,
    { count, adding },
  );
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

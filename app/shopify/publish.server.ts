import { AdminApiError, assertNoUserErrors, type AdminApi } from "./admin-api.server";
import {
  FILE_DELETE_MUTATION,
  FILE_UPDATE_MUTATION,
  JOB_STATUS_QUERY,
  MEDIA_STATUS_QUERY,
  PRODUCT_ATTACH_MEDIA_MUTATION,
  PRODUCT_MEDIA_IDS_QUERY,
  PRODUCT_MEDIA_STATE_QUERY,
  PRODUCT_RECENT_MEDIA_QUERY,
  PRODUCT_REORDER_MEDIA_MUTATION,
} from "./documents";
import { describeUserError, type UserErrorLike } from "./errors";
import { stageFiles, type StagedUploadMethod } from "./staged-upload.server";

/** Shopify's limit of media per product. */
export const MAX_MEDIA_PER_PRODUCT = 250;

export interface PublishImage {
  /** The caller's id for this image (our output id). */
  key: string;
  data: Buffer;
  filename: string;
  mimeType: string;
  alt: string;
  /** The media an earlier attempt created for this image, if it recorded one. */
  existingMediaId?: string | null;
}

export interface PublishInput {
  productId: string;
  images: PublishImage[];
  position: "append" | "first";
  /** Called as soon as Shopify gives an image its media id, before anything else happens. */
  onMediaCreated?: (key: string, mediaId: string) => Promise<void>;
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

type MediaStatus = "UPLOADED" | "PROCESSING" | "READY" | "FAILED";

interface ProductMediaState {
  product: { id: string; mediaCount: { count: number } } | null;
}

interface RecentMedia {
  id: string;
  mediaCount: { count: number };
  media: { nodes: { id: string; alt: string | null; status: MediaStatus }[] };
}

interface AttachAnswer {
  productUpdate: { product: RecentMedia | null; userErrors: UserErrorLike[] } | null;
}

interface MediaStatusAnswer {
  nodes: ({ id?: string; status?: MediaStatus; mediaErrors?: { code: string; message: string; details: string | null }[] } | null)[];
}

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_POLL_TIMEOUT_MS = 180_000;

/**
 * Writes images to a product's media, safely repeatable: an image whose `existingMediaId` is still on the
 * product is not uploaded again, so a worker that crashed after `onMediaCreated` and retries attaches each
 * image exactly once. Nothing is attached when the product is gone or full; media that fail Shopify's
 * processing are reported per image and removed from the product.
 */
export async function publishImages(api: AdminApi, input: PublishInput): Promise<{ results: PublishResult[] }> {
  const { productId, images } = input;
  if (images.length === 0) return { results: [] };
  const pollIntervalMs = input.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const pollTimeoutMs = input.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;

  const { product } = await api.request<ProductMediaState>(PRODUCT_MEDIA_STATE_QUERY, { id: productId });
  if (!product) throw productNotFound(productId);

  const onProduct = images.some((image) => image.existingMediaId) ? await readProductMedia(api, productId) : new Map<string, MediaStatus>();
  const mediaIdByKey = new Map<string, string>();
  for (const image of images) {
    if (image.existingMediaId && onProduct.has(image.existingMediaId)) mediaIdByKey.set(image.key, image.existingMediaId);
  }
  const toUpload = images.filter((image) => !mediaIdByKey.has(image.key));
  if (product.mediaCount.count + toUpload.length > MAX_MEDIA_PER_PRODUCT) throw mediaLimit(product.mediaCount.count, toUpload.length);

  if (toUpload.length > 0) {
    const sources = await stageFiles(api, toUpload, input.stagedUploadMethod);
    const created = await attachMedia(api, productId, toUpload, sources, product.mediaCount.count);
    for (const [index, image] of toUpload.entries()) {
      mediaIdByKey.set(image.key, created[index]);
      await input.onMediaCreated?.(image.key, created[index]);
    }
  }

  const mediaIds = images.map((image) => mediaIdByKey.get(image.key)!);
  const outcomes = await waitForProcessing(api, mediaIds, pollIntervalMs, pollTimeoutMs);
  const failedIds = mediaIds.filter((id) => outcomes.get(id)?.status === "FAILED" && outcomes.get(id)?.present);
  if (failedIds.length > 0) await deleteFiles(api, failedIds);

  const readyIds = mediaIds.filter((id) => outcomes.get(id)?.status === "READY");
  if (input.position === "first" && readyIds.length > 0) {
    await moveToFront(api, productId, readyIds, pollIntervalMs, pollTimeoutMs);
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
 * ONE productUpdate for all images. Shopify appends new media to the end of the product's list, in input
 * order, inside the mutation, and the answer's `media(last: N)` is read in the same mutation: so its last
 * N media are ours, in our order. Alt text cannot be the key (the app gives every image of a job the
 * same alt) and media ids are unknown before.
 */
async function attachMedia(api: AdminApi, productId: string, images: PublishImage[], sources: string[], countBefore: number): Promise<string[]> {
  const variables = {
    product: { id: productId },
    media: images.map((image, index) => ({ originalSource: sources[index], alt: image.alt, mediaContentType: "IMAGE" })),
    newCount: images.length,
  };
  let answer: AttachAnswer;
  try {
    answer = await api.request<AttachAnswer>(PRODUCT_ATTACH_MEDIA_MUTATION, variables, { idempotent: false });
  } catch (error) {
    if (!(error instanceof AdminApiError) || !error.transient) throw error;
    return recoverAttach(api, productId, images, countBefore, error, () => attachMedia(api, productId, images, sources, countBefore));
  }
  const payload = answer.productUpdate;
  if (payload?.userErrors.length) throw classifyAttachErrors(productId, payload.userErrors);
  if (!payload?.product) throw productNotFound(productId);
  return matchCreatedMedia(images, payload.product);
}

/**
 * The mutation's answer was lost (dropped connection, 5xx): it may or may not have run. The product's
 * media count tells which; only when it did not run is it sent again, so nothing is attached twice.
 */
async function recoverAttach(
  api: AdminApi,
  productId: string,
  images: PublishImage[],
  countBefore: number,
  cause: AdminApiError,
  sendAgain: () => Promise<string[]>,
): Promise<string[]> {
  const { product } = await api.request<{ product: RecentMedia | null }>(PRODUCT_RECENT_MEDIA_QUERY, { id: productId, last: images.length });
  if (!product) throw productNotFound(productId);
  if (product.mediaCount.count === countBefore + images.length) return matchCreatedMedia(images, product);
  if (product.mediaCount.count === countBefore) return sendAgain();
  throw cause;
}

function matchCreatedMedia(images: PublishImage[], product: RecentMedia): string[] {
  const created = product.media.nodes.slice(-images.length);
  if (created.length !== images.length) {
    throw new AdminApiError("GRAPHQL_ERROR", "Shopify's answer did not show the new media; their ids could not be identified.", false, {
      mediaCount: product.mediaCount.count,
    });
  }
  return created.map((node) => node.id);
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
async function waitForProcessing(api: AdminApi, mediaIds: string[], intervalMs: number, timeoutMs: number): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = [...new Set(mediaIds)].filter((id) => !outcomes.has(id));
    if (pending.length === 0) return outcomes;
    const { nodes } = await api.request<MediaStatusAnswer>(MEDIA_STATUS_QUERY, { ids: pending });
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
      throw new AdminApiError("MEDIA_TIMEOUT", `Shopify was still processing ${pending.length} image(s) after ${Math.round(timeoutMs / 1000)} s.`, true, {
        pending,
      });
    }
    await sleep(intervalMs);
  }
}

/** productReorderMedia runs as a Job; moves apply in order, so READY media land at 0, 1, 2… in input order. */
async function moveToFront(api: AdminApi, productId: string, mediaIds: string[], intervalMs: number, timeoutMs: number): Promise<void> {
  const moves = mediaIds.map((id, index) => ({ id, newPosition: String(index) }));
  const answer = await api.request<{ productReorderMedia: { job: { id: string; done: boolean } | null; mediaUserErrors: UserErrorLike[] } | null }>(
    PRODUCT_REORDER_MEDIA_MUTATION,
    { id: productId, moves },
    { idempotent: true },
  );
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
    job = (await api.request<{ job: { id: string; done: boolean } | null }>(JOB_STATUS_QUERY, { id: job.id })).job;
  }
}

/** Deletes the app's own files; one already gone is what was wanted. */
async function deleteFiles(api: AdminApi, fileIds: string[]): Promise<void> {
  const answer = await api.request<{ fileDelete: { userErrors: UserErrorLike[] } | null }>(FILE_DELETE_MUTATION, { fileIds }, { idempotent: true });
  const errors = answer.fileDelete?.userErrors.filter((e) => e.code !== "FILE_DOES_NOT_EXIST") ?? [];
  assertNoUserErrors({ userErrors: errors }, "fileDelete");
}

/**
 * Removes the given (app-generated) media from the product and nothing else. Media the merchant already
 * removed are reported as `alreadyGone`. READY media are detached with fileUpdate (the file stays in the
 * store's Files in case the merchant uses it elsewhere); media that never became READY cannot be updated,
 * and being the app's own unusable files they are deleted.
 */
export async function restoreImages(api: AdminApi, input: { productId: string; mediaIds: string[] }): Promise<{ removed: string[]; alreadyGone: string[] }> {
  const mediaIds = [...new Set(input.mediaIds)];
  if (mediaIds.length === 0) return { removed: [], alreadyGone: [] };
  const statusOnProduct = await readProductMedia(api, input.productId);
  const removed = mediaIds.filter((id) => statusOnProduct.has(id));
  const alreadyGone = mediaIds.filter((id) => !statusOnProduct.has(id));

  const ready = removed.filter((id) => statusOnProduct.get(id) === "READY");
  const unfinished = removed.filter((id) => statusOnProduct.get(id) !== "READY");
  if (ready.length > 0) {
    const files = ready.map((id) => ({ id, referencesToRemove: [input.productId] }));
    const answer = await api.request<{ fileUpdate: { userErrors: UserErrorLike[] } | null }>(FILE_UPDATE_MUTATION, { files }, { idempotent: true });
    assertNoUserErrors(answer.fileUpdate, "fileUpdate");
  }
  if (unfinished.length > 0) await deleteFiles(api, unfinished);
  return { removed, alreadyGone };
}

/** The product's media and their status; empty when the product itself is gone. */
async function readProductMedia(api: AdminApi, productId: string): Promise<Map<string, MediaStatus>> {
  const { product } = await api.request<{ product: { media: { nodes: { id: string; status: MediaStatus }[] } } | null }>(PRODUCT_MEDIA_IDS_QUERY, {
    id: productId,
  });
  return new Map(product?.media.nodes.map((node) => [node.id, node.status]) ?? []);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

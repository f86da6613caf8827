import { randomUUID } from "node:crypto";
import { createBulkMutationFields } from "./bulk";
import {
  claimFilename,
  createUploadedMedia,
  findMediaByFilename,
  MAX_IMAGE_BYTES,
  MAX_MEDIA_PER_PRODUCT,
  readFilename,
  readMediaBytes,
} from "./media";
import type { RequestContext } from "./queries";
import { findProductsReferencing, readMediaStatus, type EmulatorState, type ProductRecord } from "./state";
import { createStagedTarget, findStagedUpload } from "./uploads";
import { scalarText, viewMedia, viewProduct } from "./views";
import { createBillingMutations } from "./billing";
import { notifyProductChanged } from "./products";

type Args = Record<string, unknown>;

export interface MutationContext extends RequestContext {
  state: EmulatorState;
  uploadSecret: string;
  mediaProcessingMs: number;
}

const IMAGE_RESOURCES = new Set(["IMAGE", "PRODUCT_IMAGE", "FILE"]);
const MAX_ALT_LENGTH = 512;
const JOB_MS = 50;

/** The Mutation fields the app uses, with Shopify's userErrors for the failures it must handle. */
export function createMutationRoot(ctx: MutationContext) {
  return {
    stagedUploadsCreate: (args: Args) => createStagedUploads(ctx, args.input as Args[]),
    productUpdate: (args: Args) => updateProduct(ctx, args),
    productReorderMedia: (args: Args) => reorderMedia(ctx, args.id as string, args.moves as Args[]),
    fileUpdate: (args: Args) => updateFiles(ctx, args.files as Args[]),
    fileDelete: (args: Args) => deleteFiles(ctx, args.fileIds as string[]),
    ...createBillingMutations(ctx),
    ...createBulkMutationFields(ctx),
  };
}

function createStagedUploads(ctx: MutationContext, inputs: Args[]) {
  const userErrors: { field: string[]; message: string }[] = [];
  inputs.forEach((input, index) => {
    if (!IMAGE_RESOURCES.has(input.resource as string)) {
      userErrors.push({ field: ["input", String(index), "resource"], message: `The emulator stages only images, not ${input.resource}.` });
    }
    if (Number(input.fileSize ?? 0) > MAX_IMAGE_BYTES) {
      userErrors.push({ field: ["input", String(index), "fileSize"], message: "File size must be 20 MB or less." });
    }
  });
  if (userErrors.length) return { stagedTargets: null, userErrors };
  const stagedTargets = inputs.map((input) =>
    createStagedTarget(ctx.state, ctx.origin, ctx.uploadSecret, ctx.shop.domain, {
      filename: input.filename as string,
      mimeType: input.mimeType as string,
      httpMethod: (input.httpMethod as "POST" | "PUT" | undefined) ?? "PUT",
      fileSize: input.fileSize === undefined || input.fileSize === null ? undefined : Number(input.fileSize),
    }),
  );
  return { stagedTargets, userErrors };
}

async function updateProduct(ctx: MutationContext, args: Args) {
  const input = (args.product ?? {}) as Args;
  const identifier = (args.identifier ?? {}) as Args;
  const id = (input.id ?? identifier.id) as string | undefined;
  const product = id ? ctx.shop.products.get(id) : undefined;
  if (!product) return { product: null, userErrors: [{ field: ["id"], message: "Product does not exist" }] };

  const mediaInputs = (args.media ?? []) as Args[];
  const userErrors = validateMediaInputs(product, mediaInputs);
  if (userErrors.length) return { product: viewProduct(ctx, product), userErrors };

  applyProductFields(product, input);
  for (const media of mediaInputs) {
    const source = media.originalSource as string;
    const record = await createUploadedMedia(ctx.state, {
      filename: claimFilename(ctx.shop, readFilename(source)),
      alt: (media.alt as string | undefined) ?? "",
      originalSource: source,
      bytes: await fetchSource(ctx, source),
      processingMs: ctx.mediaProcessingMs,
    });
    ctx.shop.media.set(record.id, record);
    product.mediaIds.push(record.id);
  }
  product.updatedAt = Date.now();
  notifyProductChanged(ctx.state, ctx.shop, product, "products/update");
  return { product: viewProduct(ctx, product), userErrors: [] };
}

function validateMediaInputs(product: ProductRecord, inputs: Args[]) {
  const errors: { field: string[]; message: string }[] = [];
  inputs.forEach((media, index) => {
    if (media.mediaContentType !== "IMAGE") {
      errors.push({ field: ["media", String(index), "mediaContentType"], message: "The emulator accepts only IMAGE media." });
    }
    if (!/^https?:\/\//.test(String(media.originalSource))) {
      errors.push({ field: ["media", String(index), "originalSource"], message: "Image URL is invalid" });
    }
    if (scalarText(media.alt).length > MAX_ALT_LENGTH) {
      errors.push({ field: ["media", String(index), "alt"], message: `Alt text is too long (maximum is ${MAX_ALT_LENGTH} characters)` });
    }
  });
  if (product.mediaIds.length + inputs.length > MAX_MEDIA_PER_PRODUCT) {
    errors.push({ field: ["media"], message: `Exceeded the limit of ${MAX_MEDIA_PER_PRODUCT} media per product.` });
  }
  return errors;
}

const EDITABLE_FIELDS = ["title", "handle", "status", "productType", "vendor", "descriptionHtml"] as const;

function applyProductFields(product: ProductRecord, input: Args): void {
  for (const field of EDITABLE_FIELDS) {
    if (typeof input[field] === "string") (product as unknown as Args)[field] = input[field];
  }
  if (Array.isArray(input.tags)) product.tags = input.tags as string[];
}

/** The bytes behind an originalSource: a staged upload or the emulator's own CDN. Nothing else is reachable. */
async function fetchSource(ctx: MutationContext, source: string): Promise<Buffer | undefined> {
  const staged = findStagedUpload(ctx.state, ctx.origin, source);
  if (staged) return staged.shop === ctx.shop.domain ? staged.bytes : undefined;
  const cdn = new RegExp(`^${escapeRegExp(ctx.origin)}/cdn/s/files/([^/]+)/files/([^/?]+)`).exec(source);
  const shop = cdn ? ctx.state.shops.get(cdn[1]) : undefined;
  const media = shop ? findMediaByFilename(shop, decodeURIComponent(cdn![2])) : undefined;
  return media ? readMediaBytes(media.bytes) : undefined;
}

function reorderMedia(ctx: MutationContext, productId: string, moves: Args[]) {
  const product = ctx.shop.products.get(productId);
  if (!product) {
    return { job: null, mediaUserErrors: [{ code: "PRODUCT_DOES_NOT_EXIST", field: ["id"], message: "Product does not exist" }] };
  }
  const mediaUserErrors = moves.flatMap((move, index) =>
    product.mediaIds.includes(move.id as string)
      ? []
      : [
          {
            code: "MEDIA_DOES_NOT_EXIST_ON_PRODUCT",
            field: ["moves", String(index), "id"],
            message: "Media does not exist on the given product.",
          },
        ],
  );
  if (mediaUserErrors.length) return { job: null, mediaUserErrors };
  for (const move of moves) {
    const from = product.mediaIds.indexOf(move.id as string);
    product.mediaIds.splice(from, 1);
    const to = Math.min(Number(move.newPosition), product.mediaIds.length);
    product.mediaIds.splice(to, 0, move.id as string);
  }
  product.updatedAt = Date.now();
  const job = { id: `gid://shopify/Job/${randomUUID()}`, doneAt: ctx.now + JOB_MS };
  ctx.shop.jobs.set(job.id, job);
  return { job: { id: job.id, done: false }, mediaUserErrors: [] };
}

function updateFiles(ctx: MutationContext, files: Args[]) {
  const userErrors: { code: string; field: string[]; message: string }[] = [];
  files.forEach((file, index) => {
    const field = (name: string) => ["files", String(index), name];
    const media = ctx.shop.media.get(file.id as string);
    if (!media) {
      userErrors.push({ code: "FILE_DOES_NOT_EXIST", field: field("id"), message: `File id ${file.id} does not exist.` });
      return;
    }
    if (readMediaStatus(media, ctx.now) !== "READY") {
      userErrors.push({ code: "NON_READY_STATE", field: field("id"), message: "Non-ready files cannot be updated." });
    }
    if (typeof file.alt === "string" && file.alt.length > MAX_ALT_LENGTH) {
      userErrors.push({
        code: "ALT_VALUE_LIMIT_EXCEEDED",
        field: field("alt"),
        message: `Alt text is too long (maximum is ${MAX_ALT_LENGTH} characters)`,
      });
    }
    if (file.originalSource !== undefined || file.previewImageSource !== undefined || file.filename !== undefined) {
      userErrors.push({
        code: "INVALID",
        field: field("originalSource"),
        message: "Replacing file content is not implemented by the emulator.",
      });
    }
    for (const productId of [...((file.referencesToAdd ?? []) as string[]), ...((file.referencesToRemove ?? []) as string[])]) {
      if (!ctx.shop.products.has(productId)) {
        userErrors.push({
          code: "REFERENCE_TARGET_DOES_NOT_EXIST",
          field: field("references"),
          message: `The target resource ${productId} does not exist.`,
        });
      }
    }
    for (const productId of (file.referencesToAdd ?? []) as string[]) {
      const product = ctx.shop.products.get(productId);
      if (product && !product.mediaIds.includes(media.id) && product.mediaIds.length >= MAX_MEDIA_PER_PRODUCT) {
        userErrors.push({
          code: "PRODUCT_MEDIA_LIMIT_EXCEEDED",
          field: field("referencesToAdd"),
          message: "Exceeded the limit of media per product.",
        });
      }
    }
  });
  if (userErrors.length) return { files: null, userErrors };

  const updated = files.map((file) => {
    const media = ctx.shop.media.get(file.id as string)!;
    if (typeof file.alt === "string") media.alt = file.alt;
    for (const productId of (file.referencesToRemove ?? []) as string[]) {
      const product = ctx.shop.products.get(productId)!;
      product.mediaIds = product.mediaIds.filter((id) => id !== media.id);
      product.updatedAt = ctx.now;
    }
    for (const productId of (file.referencesToAdd ?? []) as string[]) {
      const product = ctx.shop.products.get(productId)!;
      if (!product.mediaIds.includes(media.id)) product.mediaIds.push(media.id);
      product.updatedAt = ctx.now;
    }
    media.updatedAt = ctx.now;
    return viewMedia(ctx, media);
  });
  return { files: updated, userErrors: [] };
}

/** Deleting a file removes it from every product; with any unknown id nothing is deleted. */
function deleteFiles(ctx: MutationContext, fileIds: string[]) {
  const userErrors = fileIds.flatMap((id, index) =>
    ctx.shop.media.has(id)
      ? []
      : [{ code: "FILE_DOES_NOT_EXIST", field: ["fileIds", String(index)], message: `File id ${id} does not exist.` }],
  );
  if (userErrors.length) return { deletedFileIds: null, userErrors };
  for (const id of fileIds) {
    for (const product of findProductsReferencing(ctx.shop, id)) {
      product.mediaIds = product.mediaIds.filter((mediaId) => mediaId !== id);
      product.updatedAt = ctx.now;
    }
    ctx.shop.media.delete(id);
  }
  return { deletedFileIds: fileIds, userErrors: [] };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

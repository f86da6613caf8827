import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { mediaGid, takeId, type EmulatorState, type MediaBytes, type MediaFailure, type MediaRecord, type ShopRecord } from "./state";

/** Shopify's documented limits for product images. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 25_000_000;
export const MAX_MEDIA_PER_PRODUCT = 250;

const ACCEPTED_FORMATS: Record<string, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  heif: "image/heic",
};

export interface DecodedImage {
  width: number;
  height: number;
  mimeType: string;
}

/** Decodes the whole image, as Shopify's processing does, so a truncated or fake file fails here. */
export async function inspectImage(bytes: Buffer): Promise<DecodedImage | MediaFailure> {
  if (bytes.length > MAX_IMAGE_BYTES) {
    return { code: "INVALID_IMAGE_FILE_SIZE", message: "Image file size must be 20 MB or less." };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const mimeType = meta.format ? ACCEPTED_FORMATS[meta.format] : undefined;
    if (!mimeType || !meta.width || !meta.height) {
      return { code: "UNSUPPORTED_IMAGE_FILE_TYPE", message: "Image file type is not supported." };
    }
    if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
      return { code: "INVALID_IMAGE_RESOLUTION", message: "Image resolution must be 25 megapixels or less." };
    }
    await sharp(bytes, { failOn: "error" }).resize(32).toBuffer();
    const rotated = (meta.orientation ?? 1) >= 5;
    return { width: rotated ? meta.height : meta.width, height: rotated ? meta.width : meta.height, mimeType };
  } catch {
    return { code: "IMAGE_PROCESSING_FAILURE", message: "Image could not be processed." };
  }
}

export function readMediaBytes(bytes: MediaBytes): Promise<Buffer> {
  return bytes.kind === "buffer" ? Promise.resolve(bytes.buffer) : readFile(bytes.path);
}

export interface NewMedia {
  filename: string;
  alt: string;
  originalSource: string;
  /** Undefined when the source could not be fetched: the media is created and later FAILS, as on Shopify. */
  bytes?: Buffer;
  processingMs: number;
}

export async function createUploadedMedia(state: EmulatorState, input: NewMedia, now = Date.now()): Promise<MediaRecord> {
  const numericId = takeId(state);
  const decoded: DecodedImage | MediaFailure = input.bytes
    ? await inspectImage(input.bytes)
    : { code: "IMAGE_DOWNLOAD_FAILURE", message: "Image could not be downloaded." };
  const failure = "code" in decoded ? decoded : undefined;
  const image = "code" in decoded ? undefined : decoded;
  return {
    id: mediaGid(numericId),
    numericId,
    filename: input.filename,
    alt: input.alt,
    mimeType: image?.mimeType ?? "application/octet-stream",
    bytes: { kind: "buffer", buffer: input.bytes ?? Buffer.alloc(0) },
    fileSize: input.bytes?.length ?? 0,
    width: image?.width,
    height: image?.height,
    failure,
    createdAt: now,
    updatedAt: now,
    processingAt: now + input.processingMs,
    readyAt: now + 2 * input.processingMs,
    originalSource: input.originalSource,
  };
}

/**
 * The name a new file gets in the shop's Files. Names are unique per shop: like Shopify's default
 * duplicate resolution (APPEND_UUID), a name already taken gets `_<uuid>` before its extension.
 */
export function claimFilename(shop: ShopRecord, filename: string): string {
  if (!findMediaByFilename(shop, filename)) return filename;
  const dot = filename.lastIndexOf(".");
  const [base, ext] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ""];
  return `${base}_${randomUUID()}${ext}`;
}

export function findMediaByFilename(shop: ShopRecord, filename: string): MediaRecord | undefined {
  for (const media of shop.media.values()) if (media.filename === filename) return media;
  return undefined;
}

/** The basename of a URL path, for the file name Shopify keeps for a media. */
export function readFilename(url: string): string {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
    return name || "image";
  } catch {
    return "image";
  }
}

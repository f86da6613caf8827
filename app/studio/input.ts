import sharp from "sharp";
import { StudioError } from "./errors";

/** Above this many pixels an upload is refused before any pixel is decoded (decompression bombs). */
export const MAX_INPUT_PIXELS = 40_000_000;
const MAX_INPUT_BYTES = 50 * 1024 * 1024;
const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp", "heif", "avif", "tiff", "gif"]);

export interface InputImage {
  data: Buffer;
  width: number;
  height: number;
  format: string;
}

/**
 * Normalises an upload: refuses non-images, oversize and corrupt files with a StudioError, applies the
 * EXIF orientation, converts to sRGB and re-encodes as PNG (when it has transparency) or JPEG q95 4:4:4.
 * `maxPixels` lowers the refusal limit below MAX_INPUT_PIXELS.
 */
export async function loadInputImage(data: Buffer, opts?: { maxPixels?: number }): Promise<InputImage> {
  const maxPixels = Math.min(opts?.maxPixels ?? MAX_INPUT_PIXELS, MAX_INPUT_PIXELS);
  if (data.length > MAX_INPUT_BYTES) {
    throw new StudioError("INPUT_TOO_LARGE", "This file is larger than 50 MB. Please upload a smaller photo.");
  }
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new StudioError("INPUT_NOT_IMAGE", "This file is not an image we can read. Please upload a JPEG, PNG or WebP photo.", { cause });
  }
  if (!metadata.format || !ACCEPTED_FORMATS.has(metadata.format) || !metadata.width || !metadata.height) {
    throw new StudioError("INPUT_NOT_IMAGE", "This file is not an image we can read. Please upload a JPEG, PNG or WebP photo.");
  }
  if (metadata.width * metadata.height > maxPixels) {
    const mp = Math.round(maxPixels / 1e6);
    throw new StudioError("INPUT_TOO_LARGE", `This photo has more than ${mp} megapixels. Please upload a smaller photo.`);
  }
  try {
    const hasAlpha = metadata.hasAlpha === true;
    const pipeline = sharp(data, { limitInputPixels: maxPixels, failOn: "truncated" }).rotate().toColourspace("srgb");
    const { data: out, info } = hasAlpha
      ? await pipeline.png({ compressionLevel: 3 }).toBuffer({ resolveWithObject: true })
      : await pipeline.jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toBuffer({ resolveWithObject: true });
    return { data: out, width: info.width, height: info.height, format: info.format };
  } catch (cause) {
    throw new StudioError("INPUT_CORRUPT", "This photo appears to be damaged or incomplete. Please upload it again.", { cause });
  }
}

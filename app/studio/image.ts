import sharp from "sharp";
import type { OutputFormat } from "./options";

// Every photo is decoded once and every output encoded once: libvips' operation cache would only keep
// up to 50 MB of finished work alive in each worker.
sharp.cache(false);

/** Decoded pixels, row-major, `channels` bytes per pixel. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

export async function decodeRgb(input: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

export function toSharp(image: RawImage): sharp.Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } });
}

/**
 * Encoder settings chosen by measurement so that flat pure white survives encoding exactly:
 * JPEG needs 4:4:4 (4:2:0 bleeds chroma 16 px past edges) and quality >= 92; lossy WebP always
 * subsamples chroma, so white-background WebP is lossless.
 */
export async function encodeImage(image: RawImage, format: OutputFormat, purpose: "white" | "photo"): Promise<Buffer> {
  const pipeline = toSharp(image);
  if (format === "jpeg") return pipeline.jpeg({ quality: 95, chromaSubsampling: "4:4:4", mozjpeg: false }).toBuffer();
  if (format === "png") return pipeline.png({ compressionLevel: 6 }).toBuffer();
  if (purpose === "white") return pipeline.webp({ lossless: true, effort: 2 }).toBuffer();
  return pipeline.webp({ quality: 90, smartSubsample: true }).toBuffer();
}

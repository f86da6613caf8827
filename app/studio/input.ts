import decodeHeic from "heic-decode";
import sharp from "sharp";
import { StudioError } from "./errors";
import type { RawImage } from "./image";

/** Above this many pixels an upload is refused before any pixel is decoded (decompression bombs). */
export const MAX_INPUT_PIXELS = 40_000_000;
const MAX_INPUT_BYTES = 50 * 1024 * 1024;
const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp", "heif", "avif", "tiff", "gif"]);
// A photo whose alpha is this opaque everywhere has no transparency worth using as a mask.
const OPAQUE = 250;

export interface InputImage {
  data: Buffer;
  width: number;
  height: number;
  format: string;
}

/** A photo decoded once, upright and in sRGB, at the size the engine works at. */
export interface DecodedPhoto {
  /** RGB; transparency flattened onto white. */
  image: RawImage;
  /** The photo's own transparency at the same size, when it has some (a cut-out PNG): used as the mask. */
  alpha: Buffer | null;
  /** The photo's own upright size and format, before any resizing. */
  source: { width: number; height: number; format: string };
  notes: string[];
}

// Formats people upload that the decoder cannot read, recognised by their first bytes, each with
// what to do instead.
const REFUSED: { name: string; test: (b: Buffer) => boolean }[] = [
  { name: "PDF", test: (b) => b.subarray(0, 5).toString("latin1") === "%PDF-" },
  { name: "SVG", test: (b) => /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(b.subarray(0, 512).toString("latin1")) },
  { name: "Photoshop (PSD)", test: (b) => b.subarray(0, 4).toString("latin1") === "8BPS" },
  { name: "BMP", test: (b) => b.subarray(0, 2).toString("latin1") === "BM" && b.length > 26 && b.readUInt32LE(2) === b.length },
  { name: "JPEG XL", test: (b) => (b[0] === 0xff && b[1] === 0x0a) || b.subarray(4, 8).toString("latin1") === "JXL " },
  { name: "camera RAW", test: isCameraRaw },
];

function isCameraRaw(b: Buffer): boolean {
  const head = b.subarray(0, 16).toString("latin1");
  if (head.startsWith("FUJIFILMCCD-RAW")) return true;
  if (head.startsWith("IIRO") || head.startsWith("IIU\0") || head.startsWith("MMOR")) return true;
  // Canon CR2 is a TIFF with "CR" at byte 8; CR3 is ISO media with brand "crx ".
  if (head.startsWith("II*\0") && head.slice(8, 10) === "CR") return true;
  return head.slice(4, 12) === "ftypcrx ";
}

function refuseUnsupported(data: Buffer): void {
  const refused = REFUSED.find((f) => f.test(data));
  if (refused) {
    throw new StudioError(
      "INPUT_UNSUPPORTED_FORMAT",
      `${refused.name} files can't be used as product photos. Save the photo as JPEG, PNG, WebP or HEIC and upload it again.`,
      {
        detail: `refused ${refused.name}`,
      },
    );
  }
}

const notImage = (cause?: unknown) =>
  new StudioError("INPUT_NOT_IMAGE", "This file is not an image we can read. Please upload a JPEG, PNG, WebP or HEIC photo.", { cause });

interface Opened {
  /** A fresh pipeline of the upright pixels, in the file's colour space. */
  open: () => sharp.Sharp;
  width: number;
  height: number;
  format: string;
  hasAlpha: boolean;
  notes: string[];
}

/**
 * Checks an upload and gives a way to read its upright pixels: refuses non-images, unsupported
 * formats, oversize files and decompression bombs with a StudioError before decoding. HEIC/HEIF
 * (HEVC) is decoded by libheif compiled to WebAssembly, since the bundled libvips has no HEVC decoder.
 */
async function openPhoto(data: Buffer, maxPixels: number): Promise<Opened> {
  if (data.length > MAX_INPUT_BYTES) {
    throw new StudioError("INPUT_TOO_LARGE", "This file is larger than 50 MB. Please upload a smaller photo.");
  }
  refuseUnsupported(data);
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw notImage(cause);
  }
  if (!metadata.format || !ACCEPTED_FORMATS.has(metadata.format) || !metadata.width || !metadata.height) throw notImage();
  if (metadata.width * metadata.height > maxPixels) {
    const mp = Math.round(maxPixels / 1e6);
    throw new StudioError("INPUT_TOO_LARGE", `This photo has more than ${mp} megapixels. Please upload a smaller photo.`);
  }
  const notes: string[] = [];
  if ((metadata.pages ?? 1) > 1 && (metadata.format === "gif" || metadata.format === "webp")) {
    notes.push(`animated ${metadata.format.toUpperCase()}: the first of its ${metadata.pages} frames was used`);
  }
  if (metadata.format === "heif" && metadata.compression === "hevc") {
    let decoded: { width: number; height: number; data: Uint8ClampedArray };
    try {
      // libheif applies the file's rotation and mirroring while decoding.
      decoded = await decodeHeic({ buffer: new Uint8Array(data.buffer, data.byteOffset, data.length) });
    } catch (cause) {
      throw new StudioError("INPUT_CORRUPT", "This photo appears to be damaged or incomplete. Please upload it again.", { cause });
    }
    const pixels = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
    notes.push("HEIC decoded in-process (libheif)");
    return {
      open: () => sharp(pixels, { raw: { width: decoded.width, height: decoded.height, channels: 4 } }),
      width: decoded.width,
      height: decoded.height,
      format: "heif",
      hasAlpha: metadata.hasAlpha === true,
      notes,
    };
  }
  const swapped = (metadata.orientation ?? 1) >= 5;
  return {
    // sharp converts an embedded ICC profile (Display P3, Adobe RGB, CMYK) to sRGB on output.
    open: () => sharp(data, { limitInputPixels: maxPixels, failOn: "truncated" }).rotate(),
    width: swapped ? metadata.height : metadata.width,
    height: swapped ? metadata.width : metadata.height,
    format: metadata.format,
    hasAlpha: metadata.hasAlpha === true,
    notes,
  };
}

const corrupt = (cause: unknown) =>
  new StudioError("INPUT_CORRUPT", "This photo appears to be damaged or incomplete. Please upload it again.", { cause });

/**
 * Normalises an upload for storage and for generative providers: applies the orientation, converts
 * to sRGB and re-encodes as PNG (when it has transparency) or JPEG q95 4:4:4. `maxPixels` lowers the
 * refusal limit below MAX_INPUT_PIXELS.
 */
export async function loadInputImage(data: Buffer, opts?: { maxPixels?: number }): Promise<InputImage> {
  const opened = await openPhoto(data, Math.min(opts?.maxPixels ?? MAX_INPUT_PIXELS, MAX_INPUT_PIXELS));
  try {
    const pipeline = opened.open().toColourspace("srgb");
    const { data: out, info } = opened.hasAlpha
      ? await pipeline.png({ compressionLevel: 3 }).toBuffer({ resolveWithObject: true })
      : await pipeline.jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toBuffer({ resolveWithObject: true });
    return { data: out, width: info.width, height: info.height, format: info.format };
  } catch (cause) {
    throw corrupt(cause);
  }
}

/**
 * Decodes a photo once, no larger than `maxSide` (libvips shrinks JPEGs while decoding when the
 * factor allows), upright and in sRGB. Real transparency is returned separately as a mask.
 */
export async function decodePhoto(data: Buffer, maxSide: number): Promise<DecodedPhoto> {
  const opened = await openPhoto(data, MAX_INPUT_PIXELS);
  const source = { width: opened.width, height: opened.height, format: opened.format };
  try {
    const pipeline = opened.open().resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true }).toColourspace("srgb");
    if (!opened.hasAlpha) {
      const { data: rgb, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { image: { data: rgb, width: info.width, height: info.height, channels: 3 }, alpha: null, source, notes: opened.notes };
    }
    const { data: rgba, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const n = info.width * info.height;
    const alpha = Buffer.alloc(n);
    const rgb = Buffer.alloc(n * 3);
    let transparent = 0;
    for (let i = 0; i < n; i++) {
      const a = rgba[i * 4 + 3];
      alpha[i] = a;
      if (a < OPAQUE) transparent++;
      const k = a / 255;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(rgba[i * 4 + c] * k + 255 * (1 - k));
    }
    // A few soft pixels (an anti-aliased rounded corner) do not make a cut-out.
    const cutOut = transparent > n * 0.01;
    const notes = cutOut ? [...opened.notes, "the photo's own transparency was used as the product's outline"] : opened.notes;
    return { image: { data: rgb, width: info.width, height: info.height, channels: 3 }, alpha: cutOut ? alpha : null, source, notes };
  } catch (cause) {
    if (cause instanceof StudioError) throw cause;
    throw corrupt(cause);
  }
}

import sharp from "sharp";
import { cutOutProduct, findBox, type Cutout } from "./cutout";
import { decodeRgb } from "./image";
import type { WhiteOptions } from "./options";
import { BORDER_SHARE, FILL_TOLERANCE, PURITY_REQUIRED, type QualityReport } from "./report";
import { segmentProduct } from "./segment";
import { chooseSubject } from "./subject";
import { composeWhite } from "./white";

export { PURITY_REQUIRED };

export interface WhiteMasks {
  /** Product opacity per pixel at the image's size; non-zero is product. */
  product: Buffer;
  /** Contact-shadow opacity per pixel; non-zero is shadow. */
  shadow?: Buffer;
}

const CENTRE_TOLERANCE = 0.02;
const JPEG_BLOCK = 8;
// How far from pure white a pixel may be and still count as "meant to be background" when no mask is known.
const NEAR_WHITE = 230;
const NEAR_WHITE_CHROMA = 14;
const EDGE_RIM = 0.005;

/**
 * Measures white-background compliance of an encoded image, as an outside checker does, from the
 * decoded file:
 * - fillRatio and centred: the box of every pixel that is not exactly #FFFFFF (product, shadow, any halo);
 * - borderPurity: the share of exactly-white pixels in the band of BORDER_SHARE of the side along all four edges;
 * - backgroundPurity: the share of exactly-white pixels among background pixels (neither product nor
 *   contact shadow). With `masks` that split is exact; without them the background is the near-white
 *   region connected to the border. For JPEG, the 8×8 blocks that contain product or shadow are
 *   excluded: the DCT rings inside a block holding an edge whatever the quality, while every all-white
 *   block decodes to exactly 255 with our encoder settings.
 */
export async function checkWhiteBackground(image: Buffer, masks?: WhiteMasks): Promise<QualityReport> {
  const meta = await sharp(image).metadata();
  const rgb = await decodeRgb(image);
  const { width, height, data } = rgb;
  const footprint = new Uint8Array(width * height);
  if (masks) {
    for (let i = 0; i < footprint.length; i++) footprint[i] = masks.product[i] > 0 || (masks.shadow?.[i] ?? 0) > 0 ? 1 : 0;
  } else {
    markNonBackground(data, width, height, footprint);
    // The soft rim of a product (wide when a small product was enlarged) is lighter than NEAR_WHITE
    // but is not background either.
    dilate(footprint, width, height, Math.max(2, Math.round(EDGE_RIM * Math.max(width, height))));
  }
  const excluded = meta.format === "jpeg" ? dilateToBlocks(footprint, width, height) : footprint;
  const bandX = Math.ceil(BORDER_SHARE * width);
  const bandY = Math.ceil(BORDER_SHARE * height);
  let background = 0;
  let white = 0;
  let band = 0;
  let bandWhite = 0;
  let left = width,
    right = -1,
    top = height,
    bottom = -1;
  for (let y = 0; y < height; y++) {
    const inBandRow = y < bandY || y >= height - bandY;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const isWhite = data[i * 3] === 255 && data[i * 3 + 1] === 255 && data[i * 3 + 2] === 255;
      if (!isWhite) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        bottom = y;
      }
      if (inBandRow || x < bandX || x >= width - bandX) {
        band++;
        if (isWhite) bandWhite++;
      }
      if (excluded[i]) continue;
      background++;
      if (isWhite) white++;
    }
  }
  const notes: string[] = [];
  if (!masks) notes.push("background found as the near-white region touching the border");
  if (meta.format === "jpeg") notes.push("JPEG: background excludes the 8x8 blocks that contain product or shadow");
  const report: QualityReport = {
    kind: "white",
    width,
    height,
    bytes: image.length,
    format: meta.format ?? "unknown",
    backgroundPurity: background === 0 ? 0 : white / background,
    borderPurity: band === 0 ? 0 : bandWhite / band,
    notes,
  };
  if (right >= 0) {
    const boxWidth = right - left + 1;
    const boxHeight = bottom - top + 1;
    report.fillRatio = Math.max(boxWidth / width, boxHeight / height);
    const dx = Math.abs(left + boxWidth / 2 - width / 2) / width;
    const dy = Math.abs(top + boxHeight / 2 - height / 2) / height;
    report.centred = dx <= CENTRE_TOLERANCE && dy <= CENTRE_TOLERANCE;
  } else {
    notes.push("no product found");
  }
  return report;
}

/** Whether a report meets the white-background rules for the requested options. */
export function isWhiteCompliant(report: QualityReport, options: Pick<WhiteOptions, "size" | "fill">): boolean {
  return (
    (report.backgroundPurity ?? 0) >= PURITY_REQUIRED &&
    (report.borderPurity ?? 0) === 1 &&
    report.centred === true &&
    Math.abs((report.fillRatio ?? 0) - options.fill) <= FILL_TOLERANCE &&
    Math.max(report.width, report.height) === options.size
  );
}

/**
 * Makes any image compliant: segments the product, forces the background to pure white, re-centres
 * and re-pads it to the requested fill, size and ratio. `repaired` lists what was wrong before.
 */
export async function repairWhiteBackground(
  image: Buffer,
  options: WhiteOptions,
): Promise<{ data: Buffer; width: number; height: number; report: QualityReport; cutout: Cutout }> {
  const before = await checkWhiteBackground(image);
  const rgb = await decodeRgb(image);
  // Where the product was, for saying what was repaired: the near-white background an off-white image
  // has is not "fill" to a person, though a checker counts it.
  const footprint = new Uint8Array(rgb.width * rgb.height);
  markNonBackground(rgb.data, rgb.width, rgb.height, footprint);
  const found = findBox(footprint, rgb.width, rgb.height, 1);
  if (found) {
    before.fillRatio = Math.max(found.width / rgb.width, found.height / rgb.height);
    before.centred =
      Math.abs(found.left + found.width / 2 - rgb.width / 2) / rgb.width <= CENTRE_TOLERANCE &&
      Math.abs(found.top + found.height / 2 - rgb.height / 2) / rgb.height <= CENTRE_TOLERANCE;
  }
  const cutout = cutOutProduct(rgb, chooseSubject(await segmentProduct(rgb)));
  const composed = await composeWhite(cutout, options);
  const report = await checkWhiteBackground(composed.data, { product: composed.productMask, shadow: composed.shadowMask });
  report.fillTarget = options.fill;
  report.repaired = describeRepairs(before, options);
  return { data: composed.data, width: composed.width, height: composed.height, report, cutout };
}

function describeRepairs(before: QualityReport, options: WhiteOptions): string[] {
  const repaired: string[] = [];
  const purity = before.backgroundPurity ?? 0;
  if (purity < PURITY_REQUIRED) repaired.push(`background forced to pure white (was ${(purity * 100).toFixed(1)}% pure)`);
  if (before.centred === false) repaired.push("product re-centred");
  if (before.fillRatio !== undefined && Math.abs(before.fillRatio - options.fill) > FILL_TOLERANCE) {
    repaired.push(`product re-scaled to fill ${Math.round(options.fill * 100)}% (was ${Math.round(before.fillRatio * 100)}%)`);
  }
  if (Math.max(before.width, before.height) !== options.size)
    repaired.push(`resized to ${options.size} px (was ${before.width}x${before.height})`);
  return repaired;
}

// Flood fill from the border through near-white pixels; whatever it cannot reach is product or shadow.
function markNonBackground(data: Buffer, width: number, height: number, out: Uint8Array): void {
  const isNearWhite = (i: number) => {
    const r = data[i * 3];
    const g = data[i * 3 + 1];
    const b = data[i * 3 + 2];
    return Math.min(r, g, b) >= NEAR_WHITE && Math.max(r, g, b) - Math.min(r, g, b) <= NEAR_WHITE_CHROMA;
  };
  const reached = new Uint8Array(width * height);
  const stack: number[] = [];
  const visit = (i: number) => {
    if (!reached[i] && isNearWhite(i)) {
      reached[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < width; x++) {
    visit(x);
    visit((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    visit(y * width);
    visit(y * width + width - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (i >= width) visit(i - width);
    if (i < width * (height - 1)) visit(i + width);
  }
  for (let i = 0; i < out.length; i++) out[i] = reached[i] ? 0 : 1;
}

function dilate(mask: Uint8Array, width: number, height: number, radius: number): void {
  const tmp = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let d = Math.max(0, x - radius); d <= Math.min(width - 1, x + radius); d++) tmp[y * width + d] = 1;
    }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!tmp[y * width + x]) continue;
      for (let d = Math.max(0, y - radius); d <= Math.min(height - 1, y + radius); d++) mask[d * width + x] = 1;
    }
}

function dilateToBlocks(footprint: Uint8Array, width: number, height: number): Uint8Array {
  const bw = Math.ceil(width / JPEG_BLOCK);
  const blocks = new Uint8Array(bw * Math.ceil(height / JPEG_BLOCK));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (footprint[y * width + x]) blocks[Math.floor(y / JPEG_BLOCK) * bw + Math.floor(x / JPEG_BLOCK)] = 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = blocks[Math.floor(y / JPEG_BLOCK) * bw + Math.floor(x / JPEG_BLOCK)]!;
  return out;
}

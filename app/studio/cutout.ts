import { StudioError } from "./errors";
import type { RawImage } from "./image";
import { refineEdges } from "./matte";

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The product alone: RGBA pixels cropped to its bounding box, plus where it was in the source. */
export interface Cutout {
  rgba: RawImage;
  box: Box;
  sourceWidth: number;
  sourceHeight: number;
}

// Below LOW the model is unsure it is product at all; leaving those pixels faint would tint the
// white background, so they become fully transparent. Above HIGH the product is fully opaque.
const LOW = 16;
const HIGH = 240;
const SPECK_SHARE = 0.02;
const GRID = 256;
// Room around the mask's box for the edge refinement: its filter radius plus the background it samples.
const EDGE_PAD_SHARE = 4 / 512;

/** Hardens a soft mask and drops specks smaller than 2% of the largest part, in place. */
export function cleanMask(mask: Buffer, width: number, height: number): void {
  for (let i = 0; i < mask.length; i++) {
    const a = mask[i]!;
    mask[i] = a < LOW ? 0 : a > HIGH ? 255 : a;
  }
  const keep = keptCells(mask, width, height);
  const cw = Math.ceil(width / gridStep(width, height));
  const step = gridStep(width, height);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / step) * cw;
    for (let x = 0; x < width; x++) if (!keep[row + Math.floor(x / step)]) mask[y * width + x] = 0;
  }
}

function gridStep(width: number, height: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / GRID));
}

// Connected components on a coarse grid: cheap on 12 MP masks and enough to tell parts from specks.
function keptCells(mask: Buffer, width: number, height: number): Uint8Array {
  const step = gridStep(width, height);
  const cw = Math.ceil(width / step);
  const ch = Math.ceil(height / step);
  const occupied = new Uint8Array(cw * ch);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / step) * cw;
    for (let x = 0; x < width; x++) if (mask[y * width + x]! >= 128) occupied[row + Math.floor(x / step)] = 1;
  }
  const label = new Int32Array(cw * ch).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < occupied.length; start++) {
    if (!occupied[start] || label[start]! >= 0) continue;
    const id = sizes.length;
    let size = 0;
    stack.push(start);
    label[start] = id;
    while (stack.length) {
      const cell = stack.pop()!;
      size++;
      const cx = cell % cw;
      const cy = (cell - cx) / cw;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = cx + dx;
          const ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= cw || ny >= ch) continue;
          const n = ny * cw + nx;
          if (occupied[n] && label[n]! < 0) {
            label[n] = id;
            stack.push(n);
          }
        }
    }
    sizes.push(size);
  }
  const largest = Math.max(0, ...sizes);
  const keep = new Uint8Array(cw * ch);
  // A kept cell's neighbours stay too, so the soft edge just outside a part survives.
  for (let cell = 0; cell < keep.length; cell++) {
    const id = label[cell]!;
    if (id < 0 || sizes[id]! < largest * SPECK_SHARE) continue;
    const cx = cell % cw;
    const cy = (cell - cx) / cw;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const nx = cx + dx;
        const ny = cy + dy;
        if (nx >= 0 && ny >= 0 && nx < cw && ny < ch) keep[ny * cw + nx] = 1;
      }
  }
  return keep;
}

/** Bounding box of mask pixels at or above `threshold`, or null when there are none. */
export function findBox(mask: Buffer, width: number, height: number, threshold = 1): Box | null {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x]! < threshold) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  if (right < 0) return null;
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * Crops the product out of `image` using its mask; refuses images where no product was found. The
 * edge is refined (alpha fitted to the photo's edges, background colour taken out of edge pixels) so
 * that the old background shows neither as a fringe on white nor on a new backdrop.
 */
export async function cutOutProduct(image: RawImage, mask: Buffer): Promise<Cutout> {
  const cleaned = Buffer.from(mask);
  cleanMask(cleaned, image.width, image.height);
  const found = findBox(cleaned, image.width, image.height);
  if (!found || found.width * found.height < image.width * image.height * 0.002) {
    throw new StudioError("NO_PRODUCT", "We couldn't find a product in this photo. Try a photo where the product is clearly visible.");
  }
  const pad = EDGE_PAD_SHARE * Math.max(image.width, image.height) + 4;
  const left = Math.max(0, Math.floor(found.left - pad));
  const top = Math.max(0, Math.floor(found.top - pad));
  const region = { left, top, width: Math.min(image.width, Math.ceil(found.left + found.width + pad)) - left, height: Math.min(image.height, Math.ceil(found.top + found.height + pad)) - top };
  const refined = refineEdges(image, cleaned, region, { low: LOW, high: HIGH });
  const alpha = Buffer.alloc(region.width * region.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = refined[i * 4 + 3]!;
  const inner = findBox(alpha, region.width, region.height) ?? { left: 0, top: 0, width: region.width, height: region.height };
  const data = Buffer.alloc(inner.width * inner.height * 4);
  for (let y = 0; y < inner.height; y++) {
    const from = ((inner.top + y) * region.width + inner.left) * 4;
    refined.copy(data, y * inner.width * 4, from, from + inner.width * 4);
  }
  const box = { left: region.left + inner.left, top: region.top + inner.top, width: inner.width, height: inner.height };
  return { rgba: { data, width: box.width, height: box.height, channels: 4 }, box, sourceWidth: image.width, sourceHeight: image.height };
}

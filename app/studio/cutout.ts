import { StudioError } from "./errors";
import type { RawImage } from "./image";

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

/** Crops the product out of `image` using its mask; refuses images where no product was found. */
export async function cutOutProduct(image: RawImage, mask: Buffer): Promise<Cutout> {
  const cleaned = Buffer.from(mask);
  cleanMask(cleaned, image.width, image.height);
  const box = findBox(cleaned, image.width, image.height);
  if (!box || box.width * box.height < image.width * image.height * 0.002) {
    throw new StudioError("NO_PRODUCT", "We couldn't find a product in this photo. Try a photo where the product is clearly visible.");
  }
  const data = Buffer.alloc(box.width * box.height * 4);
  const channels = image.channels;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const s = (box.top + y) * image.width + box.left + x;
      const d = (y * box.width + x) * 4;
      data[d] = image.data[s * channels]!;
      data[d + 1] = image.data[s * channels + 1]!;
      data[d + 2] = image.data[s * channels + 2]!;
      data[d + 3] = cleaned[s]!;
    }
  }
  return { rgba: { data, width: box.width, height: box.height, channels: 4 }, box, sourceWidth: image.width, sourceHeight: image.height };
}

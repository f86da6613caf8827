import { StudioError } from "./errors";
import type { RawImage } from "./image";
import { decontaminateEdges } from "./matte";
import type { Edge } from "./report";
import type { SubjectChoice } from "./subject";

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
  /** Frame edges the product runs into (cut off by the photo); its crop ends flush there. */
  touchedEdges: Edge[];
}

// After sharpening, alpha this faint is the model's blur, not product: left as it is it would tint
// pure white (and count as non-white to any checker); this solid is fully product.
const LOW = 8;
const HIGH = 247;
// The stretched model mask is soft over a few working pixels per model pixel; sharpening by this
// much per model pixel leaves an anti-aliased edge of about one to two pixels.
const SHARPEN_PER_SCALE = 1.2;
// Room around the product for the edge's soft pixels.
const PAD = 4;

/**
 * Crops the chosen product out of `image` (the photo at working size). Its alpha is the model's mask
 * for the kept parts, mapped from model resolution onto the product's box only (bilinear) and
 * sharpened around its half-way contour; the photo's own transparency replaces it when there is
 * one. Only the edge's soft pixels are then touched again: their coverage is read from their colour
 * and their colour is freed of the old background (see decontaminateEdges). Refuses photos where
 * nothing was kept.
 */
export function cutOutProduct(image: RawImage, choice: SubjectChoice, ownAlpha: Buffer | null = null): Cutout {
  const { mask } = choice;
  const modelBox = findBox(mask.data, mask.width, mask.height, 1);
  if (!modelBox || choice.keptObjects === 0) throw noProduct();
  const sx = image.width / mask.width;
  const sy = image.height / mask.height;
  const left = Math.max(0, Math.floor(modelBox.left * sx) - PAD);
  const top = Math.max(0, Math.floor(modelBox.top * sy) - PAD);
  const right = Math.min(image.width, Math.ceil((modelBox.left + modelBox.width) * sx) + PAD);
  const bottom = Math.min(image.height, Math.ceil((modelBox.top + modelBox.height) * sy) + PAD);
  const region = { left, top, width: right - left, height: bottom - top };
  const alpha = upsampleAlpha(mask, region, sx, sy, ownAlpha ? null : SHARPEN_PER_SCALE * Math.max(1, sx, sy));
  if (ownAlpha) {
    // The photo's own outline, inside the zone of the parts that were kept.
    for (let y = 0; y < region.height; y++) {
      for (let x = 0; x < region.width; x++) {
        const i = y * region.width + x;
        alpha[i] = alpha[i] > 0 ? ownAlpha[(region.top + y) * image.width + region.left + x] : 0;
      }
    }
  }
  const inner = findBox(alpha, region.width, region.height, 1);
  if (!inner || inner.width * inner.height < image.width * image.height * 0.002) throw noProduct();
  const rgba = decontaminateEdges(image, alpha, region);
  const data = Buffer.alloc(inner.width * inner.height * 4);
  for (let y = 0; y < inner.height; y++) {
    const from = ((inner.top + y) * region.width + inner.left) * 4;
    rgba.copy(data, y * inner.width * 4, from, from + inner.width * 4);
  }
  const box = { left: region.left + inner.left, top: region.top + inner.top, width: inner.width, height: inner.height };
  // The crop is flush with the frame where the product was cut, so the cut shows as a straight edge.
  const touchedEdges = choice.touchedEdges.filter((edge) =>
    edge === "top"
      ? box.top === 0
      : edge === "left"
        ? box.left === 0
        : edge === "bottom"
          ? box.top + box.height === image.height
          : box.left + box.width === image.width,
  );
  return {
    rgba: { data, width: box.width, height: box.height, channels: 4 },
    box,
    sourceWidth: image.width,
    sourceHeight: image.height,
    touchedEdges,
  };
}

function noProduct(): StudioError {
  return new StudioError("NO_PRODUCT", "We couldn't find a product in this photo. Try a photo where the product is clearly visible.");
}

/**
 * The model mask sampled (bilinear, pixel centres aligned) at working resolution over `region`, then
 * sharpened around 50% by `gain` (null: kept soft, only marks where the mask is non-zero).
 */
function upsampleAlpha(
  mask: { data: Uint8Array; width: number; height: number },
  region: Box,
  sx: number,
  sy: number,
  gain: number | null,
): Uint8Array {
  const { width: mw, height: mh, data } = mask;
  const x0 = new Int32Array(region.width);
  const fx = new Float32Array(region.width);
  for (let x = 0; x < region.width; x++) {
    const u = Math.min(mw - 1, Math.max(0, (region.left + x + 0.5) / sx - 0.5));
    x0[x] = Math.min(mw - 2, Math.floor(u));
    fx[x] = u - x0[x];
  }
  const out = new Uint8Array(region.width * region.height);
  for (let y = 0; y < region.height; y++) {
    const v = Math.min(mh - 1, Math.max(0, (region.top + y + 0.5) / sy - 0.5));
    const y0 = Math.min(mh - 2, Math.floor(v));
    const fy = v - y0;
    const r0 = y0 * mw;
    const r1 = r0 + mw;
    const row = y * region.width;
    for (let x = 0; x < region.width; x++) {
      const a = x0[x];
      const f = fx[x];
      const top = data[r0 + a] * (1 - f) + data[r0 + a + 1] * f;
      const bottom = data[r1 + a] * (1 - f) + data[r1 + a + 1] * f;
      const m = top * (1 - fy) + bottom * fy;
      if (gain === null) {
        out[row + x] = m > 0 ? 255 : 0;
        continue;
      }
      const value = (m - 127.5) * gain + 127.5;
      out[row + x] = value < LOW ? 0 : value > HIGH ? 255 : Math.round(value);
    }
  }
  return out;
}

/** Bounding box of mask pixels at or above `threshold`, or null when there are none. */
export function findBox(mask: ArrayLike<number>, width: number, height: number, threshold = 1): Box | null {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] < threshold) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  if (right < 0) return null;
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

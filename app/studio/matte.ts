import type { Box } from "./cutout";
import type { RawImage } from "./image";

// Local colours are read this far around an edge pixel, every STEP pixels: far enough to reach
// clean background and solid product beyond the soft edge, near enough to be the same surface.
const RADIUS = 6;
const STEP = 2;
// Background and product colours closer than this (RGB distance) say nothing about coverage.
const MIN_CONTRAST = 20;
const FULL_CONTRAST = 60;
// A pixel this far (RGB distance) from the background-product line is a colour of its own (a rim, a stripe).
const MAX_OFF_LINE = 30;
// Coverage this faint is no product; this solid is all product (as in the cut-out).
const LOW = 8;
const HIGH = 247;

/**
 * RGBA pixels of `region` of `image` with `alpha` (region-sized), where every soft edge pixel is
 * refined from its colour: its coverage a is where its colour lies between the local background B
 * (mean of nearby transparent pixels) and product F (nearby solid pixels), which snaps the outline to
 * the photo's edge where the mask is a pixel off; then B is un-premultiplied out of its colour,
 * C = (I - (1 - a) B) / a, and at low coverage, where that amplifies noise, F is used instead. Only the
 * soft edge band is computed; solid pixels are copied.
 */
export function decontaminateEdges(image: RawImage, alpha: Uint8Array, region: Box): Buffer {
  const { width: w, height: h } = region;
  const ch = image.channels;
  const out = Buffer.alloc(w * h * 4);
  const at = (x: number, y: number) => ((region.top + y) * image.width + region.left + x) * ch;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const a = alpha[i];
      out[i * 4 + 3] = a;
      if (a === 0) continue;
      const s = at(x, y);
      if (a === 255) {
        out[i * 4] = image.data[s]!;
        out[i * 4 + 1] = image.data[s + 1]!;
        out[i * 4 + 2] = image.data[s + 2]!;
        continue;
      }
      const bg = [0, 0, 0];
      const fg = [0, 0, 0];
      let nb = 0;
      let nf = 0;
      for (let dy = -RADIUS; dy <= RADIUS; dy += STEP) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -RADIUS; dx <= RADIUS; dx += STEP) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const v = alpha[yy * w + xx];
          if (v !== 0 && v !== 255) continue;
          const p = at(xx, yy);
          const target = v === 0 ? bg : fg;
          target[0] += image.data[p];
          target[1] += image.data[p + 1];
          target[2] += image.data[p + 2];
          if (v === 0) nb++;
          else nf++;
        }
      }
      // The pixel's own coverage, from where its colour lies on the line between the local background
      // and product colours when they differ clearly and the pixel is a mix of the two (the mask can be
      // a pixel off; the colour is not); else the mask's alpha. It sets both alpha and colour.
      let k = a / 255;
      if (nb > 0 && nf > 0) {
        let dot = 0;
        let len2 = 0;
        for (let c = 0; c < 3; c++) {
          const d = fg[c] / nf - bg[c] / nb;
          dot += (image.data[s + c] - bg[c] / nb) * d;
          len2 += d * d;
        }
        const t = len2 > 0 ? Math.min(1, Math.max(0, dot / len2)) : 0;
        let off2 = 0;
        for (let c = 0; c < 3; c++) off2 += (image.data[s + c] - bg[c] / nb - t * (fg[c] / nf - bg[c] / nb)) ** 2;
        const contrast = Math.min(1, Math.max(0, (Math.sqrt(len2) - MIN_CONTRAST) / (FULL_CONTRAST - MIN_CONTRAST)));
        const confidence = contrast * Math.max(0, 1 - Math.sqrt(off2) / MAX_OFF_LINE);
        k = confidence * t + (1 - confidence) * k;
      }
      const refined = Math.round(k * 255);
      out[i * 4 + 3] = refined < LOW ? 0 : refined > HIGH ? 255 : refined;
      if (out[i * 4 + 3] === 0) continue;
      k = Math.max(0.05, k);
      // How much to trust the un-premultiplied colour: little at low coverage.
      const trust = nf > 0 ? Math.min(1, k * k * 1.5) : 1;
      for (let c = 0; c < 3; c++) {
        let value = image.data[s + c];
        if (nb > 0) value = Math.min(255, Math.max(0, (value - (1 - k) * (bg[c] / nb)) / k));
        if (nf > 0) value = trust * value + (1 - trust) * (fg[c] / nf);
        out[i * 4 + c] = Math.round(value);
      }
    }
  }
  return out;
}

import type { Box } from "./cutout";
import type { RawImage } from "./image";

// Local colours are read this far around an edge pixel, every STEP pixels: far enough to reach
// clean background and solid product beyond the soft edge, near enough to be the same surface.
const RADIUS = 6;
const STEP = 2;

/**
 * RGBA pixels of `region` of `image` with `alpha` (region-sized), where every soft edge pixel's
 * colour is freed of the old background: the local background colour B (mean of nearby transparent
 * pixels) is un-premultiplied out of the pixel, C = (I - (1 - a) B) / a, and at low coverage, where
 * that amplifies noise, the nearby solid product colour is used instead. Only the soft edge band is
 * computed; solid pixels are copied.
 */
export function decontaminateEdges(image: RawImage, alpha: Uint8Array, region: Box): Buffer {
  const { width: w, height: h } = region;
  const ch = image.channels;
  const out = Buffer.alloc(w * h * 4);
  const at = (x: number, y: number) => ((region.top + y) * image.width + region.left + x) * ch;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const a = alpha[i]!;
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
          const v = alpha[yy * w + xx]!;
          if (v !== 0 && v !== 255) continue;
          const p = at(xx, yy);
          const target = v === 0 ? bg : fg;
          target[0] += image.data[p]!;
          target[1] += image.data[p + 1]!;
          target[2] += image.data[p + 2]!;
          if (v === 0) nb++;
          else nf++;
        }
      }
      const k = a / 255;
      // How much to trust the un-premultiplied colour: little at low coverage.
      const trust = nf > 0 ? Math.min(1, k * k * 1.5) : 1;
      for (let c = 0; c < 3; c++) {
        let value = image.data[s + c]!;
        if (nb > 0) value = Math.min(255, Math.max(0, (value - (1 - k) * (bg[c]! / nb)) / k));
        if (nf > 0) value = trust * value + (1 - trust) * (fg[c]! / nf);
        out[i * 4 + c] = Math.round(value);
      }
    }
  }
  return out;
}

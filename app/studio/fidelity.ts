import sharp from "sharp";
import { findBox, type Cutout } from "./cutout";

/** Below this the output is flagged "the product may have changed". */
export const FIDELITY_THRESHOLD = 0.6;
const GRID = 48;

/**
 * How faithfully an output shows the input's product, 0-1, from the two cut-outs:
 * - colour (35%): intersection of 4×4×4-bin RGB histograms of solid product pixels;
 * - shape (35%): aspect-ratio agreement times the overlap (IoU) of both masks scaled to a 48×48 box;
 * - structure (30%): correlation of 48×48 grey thumbnails of the product (labels, panels, edges).
 * It cannot read text, so a reworded label with the same layout still scores high.
 */
export async function measureFidelity(input: Cutout, output: Cutout): Promise<number> {
  const a = await summarise(input);
  const b = await summarise(output);
  let overlap = 0;
  for (let i = 0; i < a.histogram.length; i++) overlap += Math.min(a.histogram[i], b.histogram[i]);
  const aspect = Math.exp(-Math.abs(Math.log(a.aspect / b.aspect)) * 2);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.mask.length; i++) {
    inter += a.mask[i] && b.mask[i] ? 1 : 0;
    union += a.mask[i] || b.mask[i] ? 1 : 0;
  }
  const iou = union ? inter / union : 0;
  const structure = Math.max(0, correlate(a.grey, b.grey));
  return 0.35 * overlap + 0.35 * aspect * iou + 0.3 * structure;
}

async function summarise(cutout: Cutout) {
  const { rgba } = cutout;
  const alpha = Buffer.alloc(rgba.width * rgba.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba.data[i * 4 + 3]!;
  const box = findBox(alpha, rgba.width, rgba.height, 128) ?? { left: 0, top: 0, width: rgba.width, height: rgba.height };
  const histogram = new Float64Array(64);
  let count = 0;
  for (let i = 0; i < alpha.length; i++) {
    if (alpha[i] < 128) continue;
    const p = i * 4;
    histogram[(rgba.data[p] >> 6) * 16 + (rgba.data[p + 1] >> 6) * 4 + (rgba.data[p + 2] >> 6)] += 1;
    count++;
  }
  for (let i = 0; i < 64; i++) histogram[i] /= Math.max(1, count);
  const crop = sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } }).extract(box);
  const small = await crop.resize(GRID, GRID, { fit: "fill" }).raw().toBuffer();
  const mask = new Uint8Array(GRID * GRID);
  const grey = new Float64Array(GRID * GRID);
  for (let i = 0; i < mask.length; i++) {
    mask[i] = small[i * 4 + 3] >= 128 ? 1 : 0;
    const a = small[i * 4 + 3] / 255;
    const lum = 0.299 * small[i * 4] + 0.587 * small[i * 4 + 1] + 0.114 * small[i * 4 + 2];
    grey[i] = lum * a + 128 * (1 - a);
  }
  return { histogram, aspect: box.width / box.height, mask, grey };
}

function correlate(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return va && vb ? cov / Math.sqrt(va * vb) : 0;
}

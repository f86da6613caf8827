import type { Edge } from "./report";
import type { ModelMask } from "./segment";
import type { ProductContext } from "./types";

/** One connected object the model found, in model-mask pixels. */
interface Part {
  id: number;
  area: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  cx: number;
  cy: number;
  /** Mean model confidence over the part, 0.5-1. */
  confidence: number;
  /** How many of the four frame edges it touches. */
  edges: number;
  score: number;
}

/** What was kept as the product and why; goes into the quality report. */
export interface SubjectChoice {
  /** The kept parts' soft mask at model resolution; everything else zeroed. */
  mask: ModelMask;
  keptObjects: number;
  /** Objects found and left out (props, tags, background things). */
  droppedObjects: number;
  /** Frame edges the kept product runs into: the photo cut it off there. */
  touchedEdges: Edge[];
  /** Another object was nearly as likely to be the product: a person should look. */
  unclear: boolean;
  notes: string[];
}

const SOLID = 128;
// Blobs smaller than this share of the frame are specks, never a product.
const SPECK_SHARE = 0.002;
// A second part at least this big (share of the main part), this close (share of the main part's
// longer side), is another piece of the same product: the other shoe, the saucer.
const SIBLING_AREA = 0.3;
const SIBLING_GAP = 0.15;
// Parts inside the main part's box are kept from this size on (a spoon in a cup); smaller ones are
// tags and clips.
const INSIDE_AREA = 0.04;
const UNCLEAR_SCORE = 0.6;
const UNCLEAR_AREA = 0.25;
// Edge contact shorter than this share of the side is a touch, not a cut.
const EDGE_RUN = 0.01;
// Words in the title or type that say the product comes in several pieces.
const MULTIPART =
  /\b(pairs?|set|sets|shoes?|sneakers?|boots?|sandals?|socks?|gloves?|mittens?|earrings?|cufflinks?|chopsticks?|saucers?|kit|duo|trio|twins?|salt and pepper)\b/i;
// Soft pixels this close (model px) to a kept part belong to its edge.
const EDGE_ZONE = 3;

/**
 * Chooses the product among the objects the model found. Each object is scored by size, closeness
 * to the centre, the model's confidence and how many frame edges it runs into (background things
 * span the frame); the best is the product. Pieces big and close enough to it, or inside its box,
 * are kept with it; small props, tags and specks are dropped. When the product's title says it
 * comes in pieces (a pair, a set) pieces are kept more readily. When the runner-up scores close,
 * the choice is marked unclear.
 */
export function chooseSubject(mask: ModelMask, product?: ProductContext, labels: string[] = []): SubjectChoice {
  const { width, height, data } = mask;
  const { labels: label, parts } = findParts(mask);
  const notes: string[] = [];
  const real = parts.filter((p) => p.area >= width * height * SPECK_SHARE);
  if (real.length === 0) {
    return {
      mask: { width, height, data: new Uint8Array(width * height) },
      keptObjects: 0,
      droppedObjects: 0,
      touchedEdges: [],
      unclear: false,
      notes,
    };
  }
  const maxArea = Math.max(...real.map((p) => p.area));
  for (const p of real) {
    const d = Math.hypot((p.cx / width - 0.5) / 0.5, (p.cy / height - 0.5) / 0.5) / Math.SQRT2;
    // Things the frame cuts (a plant at the side, a table edge) are usually background; the model is
    // less sure of out-of-focus ones.
    const edgeFactor = p.edges === 0 ? 1 : p.edges === 1 ? 0.7 : p.edges === 2 ? 0.4 : 0.2;
    p.score = Math.sqrt(p.area / maxArea) * (1 - 0.6 * d) * p.confidence ** 2 * edgeFactor;
  }
  real.sort((a, b) => b.score - a.score);
  const main = real[0];
  const multipart = MULTIPART.test([product?.title, product?.productType, ...labels].filter(Boolean).join(" "));
  const siblingArea = multipart ? SIBLING_AREA / 2 : SIBLING_AREA;
  const siblingGap = multipart ? SIBLING_GAP * 2 : SIBLING_GAP;
  const mainSide = Math.max(main.right - main.left, main.bottom - main.top) + 1;
  const kept = [main];
  const dropped: Part[] = [];
  for (const p of real.slice(1)) {
    const gap = Math.max(0, p.left - main.right, main.left - p.right, p.top - main.bottom, main.top - p.bottom);
    const inside = p.left >= main.left && p.right <= main.right && p.top >= main.top && p.bottom <= main.bottom;
    const sibling = p.area >= main.area * siblingArea && gap <= mainSide * siblingGap;
    if (sibling || (inside && p.area >= main.area * INSIDE_AREA)) kept.push(p);
    else dropped.push(p);
  }
  const rival = dropped.find((p) => p.score >= main.score * UNCLEAR_SCORE && p.area >= main.area * UNCLEAR_AREA);
  if (kept.length > 1) notes.push(`kept ${kept.length} parts as one product${multipart ? " (its title says it comes in pieces)" : ""}`);
  if (dropped.length > 0)
    notes.push(`left out ${dropped.length} other object${dropped.length === 1 ? "" : "s"} (props, tags or background)`);
  if (rival) notes.push("another object was nearly as likely to be the product: check that the right one was kept");

  const keep = new Uint8Array(parts.length + 1);
  for (const p of kept) keep[p.id] = 1;
  const out = new Uint8Array(width * height);
  // Kept parts' solid pixels, then the soft edge around them (below SOLID, not labelled).
  const zone = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) if (keep[label[i]]) zone[i] = 1;
  const near = dilate(zone, width, height, EDGE_ZONE);
  for (let i = 0; i < out.length; i++) {
    const l = label[i];
    if (l ? keep[l] : near[i]) out[i] = data[i]!;
  }
  return {
    mask: { width, height, data: out },
    keptObjects: kept.length,
    droppedObjects: dropped.length,
    touchedEdges: touchedEdges(out, width, height),
    unclear: rival !== undefined,
    notes,
  };
}

/** The frame edges that solid product pixels run along for more than a touch. */
export function touchedEdges(mask: Uint8Array, width: number, height: number): Edge[] {
  const run = (count: number, side: number) => count > Math.max(2, side * EDGE_RUN);
  let top = 0,
    bottom = 0,
    left = 0,
    right = 0;
  for (let x = 0; x < width; x++) {
    if (mask[x] >= SOLID) top++;
    if (mask[(height - 1) * width + x] >= SOLID) bottom++;
  }
  for (let y = 0; y < height; y++) {
    if (mask[y * width] >= SOLID) left++;
    if (mask[y * width + width - 1] >= SOLID) right++;
  }
  const edges: Edge[] = [];
  if (run(top, width)) edges.push("top");
  if (run(right, height)) edges.push("right");
  if (run(bottom, width)) edges.push("bottom");
  if (run(left, height)) edges.push("left");
  return edges;
}

/** 8-connected parts of the solid mask; label 0 is background, part ids start at 1. */
function findParts(mask: ModelMask): { labels: Int32Array; parts: Part[] } {
  const { width, height, data } = mask;
  const labels = new Int32Array(width * height);
  const parts: Part[] = [];
  const stack = new Int32Array(width * height);
  for (let start = 0; start < data.length; start++) {
    if (data[start] < SOLID || labels[start]) continue;
    const id = parts.length + 1;
    const part: Part = { id, area: 0, left: width, top: height, right: -1, bottom: -1, cx: 0, cy: 0, confidence: 0, edges: 0, score: 0 };
    let sp = 0;
    stack[sp++] = start;
    labels[start] = id;
    let sumX = 0,
      sumY = 0,
      sumConf = 0;
    let onTop = false,
      onBottom = false,
      onLeft = false,
      onRight = false;
    while (sp > 0) {
      const i = stack[--sp];
      const x = i % width;
      const y = (i - x) / width;
      part.area++;
      sumX += x;
      sumY += y;
      sumConf += data[i];
      if (x < part.left) part.left = x;
      if (x > part.right) part.right = x;
      if (y < part.top) part.top = y;
      if (y > part.bottom) part.bottom = y;
      if (y === 0) onTop = true;
      if (y === height - 1) onBottom = true;
      if (x === 0) onLeft = true;
      if (x === width - 1) onRight = true;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const n = ny * width + nx;
          if (data[n] >= SOLID && !labels[n]) {
            labels[n] = id;
            stack[sp++] = n;
          }
        }
      }
    }
    part.cx = sumX / part.area;
    part.cy = sumY / part.area;
    part.confidence = Math.max(0, (sumConf / part.area / 255 - 0.5) / 0.5);
    part.edges = [onTop, onBottom, onLeft, onRight].filter(Boolean).length;
    parts.push(part);
  }
  return { labels, parts };
}

/** Square dilation by `r` pixels (separable running counts). */
function dilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const tmp = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    let count = 0;
    const row = y * width;
    for (let x = 0; x < Math.min(r, width); x++) count += mask[row + x];
    for (let x = 0; x < width; x++) {
      if (x + r < width) count += mask[row + x + r];
      if (x - r - 1 >= 0) count -= mask[row + x - r - 1];
      tmp[row + x] = count > 0 ? 1 : 0;
    }
  }
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(r, height); y++) count += tmp[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + r < height) count += tmp[(y + r) * width + x];
      if (y - r - 1 >= 0) count -= tmp[(y - r - 1) * width + x];
      out[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  return out;
}

import type { RawImage } from "./image";

/** A rectangle of the image, in pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

// The segmentation mask is computed at 1024x1024 and stretched to the photo, so its edge is a few
// pixels soft and can sit a pixel or two off the real edge: the guided filter's radius covers that.
const MIN_RADIUS = 2;
const MODEL_SIDE = 1024;
const RADIUS_PER_MODEL_PX = 2.5;
// Product and background colours closer than this (0-1 RGB distance) cannot tell alpha apart.
const MIN_CONTRAST = 0.08;
const FULL_CONTRAST = 0.25;
const MAX_OFF_LINE = 0.12;
// Regularisation of the guided filter on colours in 0-1: well above sensor noise (σ ≈ 0.02 → 4e-4),
// below the contrast of a real edge; lower values copy noise into the edge (ragged, speckled outline).
const EPS = 1e-2;

/** Box mean over (2r+1)² with edge-aware normalisation; separable running sums. */
function boxMean(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x < Math.min(r, width); x++) sum += src[row + x]!;
    for (let x = 0; x < width; x++) {
      if (x + r < width) sum += src[row + x + r]!;
      if (x - r - 1 >= 0) sum -= src[row + x - r - 1]!;
      tmp[row + x] = sum / (Math.min(width - 1, x + r) - Math.max(0, x - r) + 1);
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = 0; y < Math.min(r, height); y++) sum += tmp[y * width + x]!;
    for (let y = 0; y < height; y++) {
      if (y + r < height) sum += tmp[(y + r) * width + x]!;
      if (y - r - 1 >= 0) sum -= tmp[(y - r - 1) * width + x]!;
      out[y * width + x] = sum / (Math.min(height - 1, y + r) - Math.max(0, y - r) + 1);
    }
  }
  return out;
}

function product(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  return out;
}

/**
 * Colour guided filter (He, Sun and Tang): reshapes the alpha so that its edge follows the photo's
 * colour edges, within `r` px. Flat areas of the mask are left as they are.
 */
function guidedAlpha(guide: Float32Array[], p: Float32Array, width: number, height: number, r: number): Float32Array {
  const n = p.length;
  const [R, G, B] = guide as [Float32Array, Float32Array, Float32Array];
  const mean = (a: Float32Array) => boxMean(a, width, height, r);
  const mR = mean(R), mG = mean(G), mB = mean(B), mp = mean(p);
  const mRp = mean(product(R, p)), mGp = mean(product(G, p)), mBp = mean(product(B, p));
  const vRR = mean(product(R, R)), vRG = mean(product(R, G)), vRB = mean(product(R, B));
  const vGG = mean(product(G, G)), vGB = mean(product(G, B)), vBB = mean(product(B, B));
  const aR = new Float32Array(n), aG = new Float32Array(n), aB = new Float32Array(n), b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mr = mR[i]!, mg = mG[i]!, mb = mB[i]!, m = mp[i]!;
    const cR = mRp[i]! - mr * m, cG = mGp[i]! - mg * m, cB = mBp[i]! - mb * m;
    if (cR === 0 && cG === 0 && cB === 0) {
      b[i] = m;
      continue;
    }
    const rr = vRR[i]! - mr * mr + EPS, rg = vRG[i]! - mr * mg, rb = vRB[i]! - mr * mb;
    const gg = vGG[i]! - mg * mg + EPS, gb = vGB[i]! - mg * mb, bb = vBB[i]! - mb * mb + EPS;
    // Inverse of the symmetric 3x3 covariance matrix by cofactors.
    const i00 = gg * bb - gb * gb, i01 = rb * gb - rg * bb, i02 = rg * gb - rb * gg;
    const i11 = rr * bb - rb * rb, i12 = rb * rg - rr * gb, i22 = rr * gg - rg * rg;
    const det = rr * i00 + rg * i01 + rb * i02;
    const ar = (i00 * cR + i01 * cG + i02 * cB) / det;
    const ag = (i01 * cR + i11 * cG + i12 * cB) / det;
    const ab = (i02 * cR + i12 * cG + i22 * cB) / det;
    aR[i] = ar;
    aG[i] = ag;
    aB[i] = ab;
    b[i] = m - ar * mr - ag * mg - ab * mb;
  }
  const maR = mean(aR), maG = mean(aG), maB = mean(aB), mb = mean(b);
  const q = new Float32Array(n);
  for (let i = 0; i < n; i++) q[i] = Math.min(1, Math.max(0, maR[i]! * R[i]! + maG[i]! * G[i]! + maB[i]! * B[i]! + mb[i]!));
  return q;
}

/**
 * Refines the product's edge inside `region` of `image`, given its (hardened) mask for the whole image:
 * 1. alpha: a colour guided filter fits the mask's edge to the photo's edges; where the background is
 *    flat (the filter cannot snap there), the outer half of the edge is capped by colour unmixing; then
 *    a one-pixel feather, and hardening again (faint alpha would tint pure white);
 * 2. colour: each semi-transparent pixel's coverage is read from where its colour lies between the
 *    local background (nearby transparent pixels) and product (nearby solid pixels) colours, the
 *    background is un-premultiplied out of it, and at low coverage the nearby product colour is used.
 * Returns RGBA pixels for the region: colours decontaminated, alpha refined.
 */
export function refineEdges(image: RawImage, mask: Buffer, region: Region, thresholds: { low: number; high: number }): Buffer {
  const { width: w, height: h } = region;
  const n = w * h;
  const ch = image.channels;
  const r = Math.max(MIN_RADIUS, Math.round((RADIUS_PER_MODEL_PX * Math.max(image.width, image.height)) / MODEL_SIDE));
  const guide = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const p = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (region.top + y) * image.width + region.left + x;
      const d = y * w + x;
      for (let c = 0; c < 3; c++) guide[c]![d] = image.data[s * ch + c]! / 255;
      p[d] = mask[s]! / 255;
    }
  }
  // The filter is guided by a lightly smoothed copy, so sensor noise does not fray the outline.
  const smooth = guide.map((g) => boxMean(g, w, h, 1));
  const q = guidedAlpha(smooth, p, w, h, r);
  const harden = (v: number) => (v < thresholds.low ? 0 : v > thresholds.high ? 255 : v);
  const first = new Uint8Array(n);
  for (let i = 0; i < n; i++) first[i] = harden(Math.round(255 * q[i]!));

  // Local background: fully transparent pixels; local product: solid pixels at least 2 px inside.
  const R = 3 * r;
  const bgWeight = new Float32Array(n);
  const solid = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    bgWeight[i] = first[i] === 0 ? 1 : 0;
    solid[i] = first[i] === 255 ? 1 : 0;
  }
  const inner = boxMean(solid, w, h, 2);
  const fgWeight = new Float32Array(n);
  for (let i = 0; i < n; i++) fgWeight[i] = inner[i]! > 0.999 ? 1 : 0;
  const bgShare = boxMean(bgWeight, w, h, R);
  const fgShare = boxMean(fgWeight, w, h, R);
  const bgMean: Float32Array[] = [];
  const fgMean: Float32Array[] = [];
  for (let c = 0; c < 3; c++) {
    bgMean.push(boxMean(product(guide[c]!, bgWeight), w, h, R));
    fgMean.push(boxMean(product(guide[c]!, fgWeight), w, h, R));
  }
  const bgAt = (c: number, i: number) => bgMean[c]![i]! / bgShare[i]!;
  const fgAt = (c: number, i: number) => fgMean[c]![i]! / fgShare[i]!;
  // Where pixel i's (smoothed) colour lies on the line from the local background to the local product
  // colour (0-1), and how much that tells (0 = nothing: the two colours are alike, or the pixel's colour
  // is no mix of them).
  const unmix = (i: number) => {
    let dot = 0;
    let len2 = 0;
    for (let c = 0; c < 3; c++) {
      const d = fgAt(c, i) - bgAt(c, i);
      dot += (smooth[c]![i]! - bgAt(c, i)) * d;
      len2 += d * d;
    }
    const unmixed = len2 > 0 ? Math.min(1, Math.max(0, dot / len2)) : 0;
    // A colour off that line (a coloured rim or stripe of the product) is not a mix of the two.
    let off2 = 0;
    for (let c = 0; c < 3; c++) off2 += (smooth[c]![i]! - bgAt(c, i) - unmixed * (fgAt(c, i) - bgAt(c, i))) ** 2;
    const contrast = Math.min(1, Math.max(0, (Math.sqrt(len2) - MIN_CONTRAST) / (FULL_CONTRAST - MIN_CONTRAST)));
    return { unmixed, confidence: contrast * Math.max(0, 1 - Math.sqrt(off2) / MAX_OFF_LINE) };
  };

  // The filter leaves the mask's blur where the background is flat: a faint halo of product colour
  // outside the edge. In the outer half of the edge, where the product and background colours differ
  // clearly, alpha is capped by how far the pixel's colour lies from the background toward the
  // product. Only capped, and only outside: rims and stripes of the product itself keep their alpha.
  const refined = new Float32Array(q);
  for (let i = 0; i < n; i++) {
    const v = q[i]!;
    if (v <= 0.001 || v >= 0.5 || !(bgShare[i]! > 0) || !(fgShare[i]! > 0)) continue;
    const { unmixed, confidence } = unmix(i);
    refined[i] = Math.min(v, confidence * unmixed + (1 - confidence) * v);
  }
  // Feathered by one pixel so the outline is not stair-stepped once resized.
  const feathered = boxMean(refined, w, h, 1);
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) alpha[i] = harden(Math.round(255 * feathered[i]!));

  const out = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const a = alpha[i]! / 255;
    out[i * 4 + 3] = alpha[i]!;
    if (a === 0) continue;
    const hasBg = bgShare[i]! > 0;
    const hasFg = fgShare[i]! > 0;
    if (a === 1) {
      for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(guide[c]![i]! * 255);
      continue;
    }
    // The pixel's own coverage, from where its colour lies between the local background and product
    // colours (when they differ clearly); the mask's alpha can be off by a pixel, its colour is not.
    let coverage = a;
    if (hasBg && hasFg) {
      const { unmixed, confidence } = unmix(i);
      coverage = confidence * unmixed + (1 - confidence) * a;
    }
    coverage = Math.max(0.05, coverage);
    // How much to trust the un-premultiplied colour: little at low coverage, where it amplifies noise.
    const trust = hasFg ? Math.min(1, coverage * coverage * 1.5) : 1;
    for (let c = 0; c < 3; c++) {
      let value = guide[c]![i]!;
      if (hasBg) value = Math.min(1, Math.max(0, (value - (1 - coverage) * bgAt(c, i)) / coverage));
      if (hasFg) value = trust * value + (1 - trust) * fgAt(c, i);
      out[i * 4 + c] = Math.round(value * 255);
    }
  }
  return out;
}

import sharp from "sharp";
import { drawBackdrop, LOOKS } from "./backdrops";
import { findBox, type Cutout } from "./cutout";
import { encodeImage, type RawImage } from "./image";
import { frameSize, type LifestyleOptions } from "./options";
import type { StyleNudge } from "./style";

export type Composition = "in-scene" | "close-up" | "artistic-angle";

interface Framing {
  /** Product's solid height and largest width as shares of the frame. */
  height: number;
  maxWidth: number;
  centreX: number;
  bottom: number;
  horizon: number;
    /** Background blur for depth of field, in px at 2048. */
  blur: number;
  lightX: number;
  /** How far the shadow falls sideways, away from the light, as a share of product width. */
  shadowShift: number;
}

const FRAMINGS: Record<Composition, Framing> = {
  "in-scene": { height: 0.48, maxWidth: 0.6, centreX: 0.5, bottom: 0.8, horizon: 0.6, blur: 4, lightX: 0.3, shadowShift: 0.1 },
  "close-up": { height: 0.8, maxWidth: 0.86, centreX: 0.5, bottom: 0.93, horizon: 0.8, blur: 14, lightX: 0.5, shadowShift: 0 },
  "artistic-angle": { height: 0.5, maxWidth: 0.5, centreX: 0.64, bottom: 0.86, horizon: 0.5, blur: 6, lightX: 0.1, shadowShift: 0.45 },
};

/** Compositions in the order they are made: two per run, or three. */
export const COMPOSITIONS: Composition[] = ["in-scene", "close-up", "artistic-angle"];

/**
 * Composes the cut-out product into a photographed-looking scene: preset backdrop with depth of
 * field, contact shadow falling away from the light, a faint reflection on glossy surfaces, then
 * the preset's colour grade, the style nudge and a vignette over the whole frame.
 */
export async function composeLifestyle(
  cutout: Cutout,
  options: LifestyleOptions,
  composition: Composition,
  nudge: StyleNudge,
): Promise<{ data: Buffer; width: number; height: number }> {
  const { width, height } = frameSize(options.size, options.ratio);
  const framing = FRAMINGS[composition];
  const look = LOOKS[options.preset];
  const seed = COMPOSITIONS.indexOf(composition) * 7 + 3;

  const backdrop = await renderBackdrop(options, framing, width, height, seed, nudge);
  const product = await placeProduct(cutout, framing, width, height);
  const shadow = await drawShadow(product, framing, width, height);
  const out = backdrop;
  const darkness = look.shadowDarkness;
  for (let i = 0; i < shadow.length; i++) {
    const s = shadow[i]!;
    if (s === 0) continue;
    const k = 1 - (darkness * s) / 255;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(out[i * 3 + c]! * k);
  }
  if (look.reflection > 0) blendReflection(out, product, width, height, look.reflection);
  blendOver(out, product.rgba, product.left, product.top, width, height);

  const vignette = Math.max(0, look.vignette + nudge.vignette);
  const scale = look.grade.map((g, c) => g * nudge.balance[c]! * nudge.brightness);
  const graded = await sharp(out, { raw: { width, height, channels: 3 } })
    .linear(scale, [0, 0, 0])
    .modulate({ saturation: nudge.saturation })
    .composite([{ input: Buffer.from(drawVignette(width, height, vignette, framing.lightX)), blend: "multiply" }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const raw: RawImage = { data: graded, width, height, channels: 3 };
  return { data: await encodeImage(raw, options.format, "photo"), width, height };
}

// Rendering a backdrop (SVG textures, resize, depth-of-field blur) is most of a local lifestyle image,
// and a shop's runs repeat the same few (preset, composition, size) combinations: keep the latest
// ones, within a memory bound (a 2048x2560 backdrop is 15 MB).
const BACKDROP_CACHE_BYTES = 96 * 1024 * 1024;
const backdropCache = new Map<string, Buffer>();

async function renderBackdrop(options: LifestyleOptions, framing: Framing, width: number, height: number, seed: number, nudge: StyleNudge): Promise<Buffer> {
  const key = JSON.stringify([options.preset, framing, width, height, seed, nudge.tint]);
  const cached = backdropCache.get(key);
  if (cached) {
    // Re-inserted as the most recently used; callers draw on their own copy.
    backdropCache.delete(key);
    backdropCache.set(key, cached);
    return Buffer.from(cached);
  }
  // Drawn at half size: textures are slow to rasterise and the background is out of focus anyway.
  const w = Math.round(width / 2);
  const h = Math.round(height / 2);
  const svg = drawBackdrop(options.preset, w, h, { horizon: framing.horizon, lightX: framing.lightX, seed }, nudge.tint);
  const rendered = await sharp(Buffer.from(svg))
    .resize(width, height, { fit: "fill" })
    .blur(Math.max(0.3, (framing.blur * width) / 2048))
    .removeAlpha()
    .raw()
    .toBuffer();
  backdropCache.set(key, rendered);
  let bytes = 0;
  for (const buffer of backdropCache.values()) bytes += buffer.length;
  for (const [oldest, buffer] of backdropCache) {
    if (bytes <= BACKDROP_CACHE_BYTES || backdropCache.size === 1) break;
    backdropCache.delete(oldest);
    bytes -= buffer.length;
  }
  return Buffer.from(rendered);
}

interface Placed {
  rgba: RawImage;
  left: number;
  top: number;
  /** The solid product's box in frame coordinates. */
  box: { left: number; top: number; width: number; height: number };
}

async function placeProduct(cutout: Cutout, framing: Framing, width: number, height: number): Promise<Placed> {
  const rgba = cutout.rgba;
  const alpha = Buffer.alloc(rgba.width * rgba.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba.data[i * 4 + 3]!;
  const solid = findBox(alpha, rgba.width, rgba.height, 128) ?? { left: 0, top: 0, width: rgba.width, height: rgba.height };
  const scale = Math.min((framing.height * height) / solid.height, (framing.maxWidth * width) / solid.width);
  const pw = Math.max(1, Math.round(rgba.width * scale));
  const ph = Math.max(1, Math.round(rgba.height * scale));
  const resized = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } })
    .resize(pw, ph, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer();
  const boxW = solid.width * scale;
  const boxH = solid.height * scale;
  const boxLeft = framing.centreX * width - boxW / 2;
  const boxTop = framing.bottom * height - boxH;
  return {
    rgba: { data: resized, width: pw, height: ph, channels: 4 },
    left: Math.round(boxLeft - solid.left * scale),
    top: Math.round(boxTop - solid.top * scale),
    box: { left: boxLeft, top: boxTop, width: boxW, height: boxH },
  };
}

async function drawShadow(product: Placed, framing: Framing, width: number, height: number): Promise<Buffer> {
  const { box } = product;
  const floor = box.top + box.height;
  const cx = box.left + box.width / 2;
  const away = framing.lightX < 0.5 ? 1 : -1;
  const shift = framing.shadowShift * box.width * away;
  const ry = Math.max(3, box.width * 0.06);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#000"/>
<ellipse cx="${cx + shift}" cy="${floor - ry * 0.2}" rx="${box.width * 0.55 + Math.abs(shift) * 0.6}" ry="${ry * 1.8}" fill="#fff" fill-opacity="0.45"/>
<ellipse cx="${cx + shift * 0.2}" cy="${floor - ry * 0.4}" rx="${box.width * 0.46}" ry="${ry * 0.7}" fill="#fff" fill-opacity="0.85"/></svg>`;
  return sharp(Buffer.from(svg)).extractChannel(0).blur(Math.max(2, box.width * 0.03)).raw().toBuffer();
}

function blendOver(out: Buffer, rgba: RawImage, left: number, top: number, width: number, height: number, opacity = (_y: number) => 1): void {
  for (let y = Math.max(0, -top); y < Math.min(rgba.height, height - top); y++) {
    const o = opacity(y);
    if (o <= 0) continue;
    for (let x = Math.max(0, -left); x < Math.min(rgba.width, width - left); x++) {
      const p = (y * rgba.width + x) * 4;
      const a = (rgba.data[p + 3]! / 255) * o;
      if (a === 0) continue;
      const f = ((top + y) * width + left + x) * 3;
      for (let c = 0; c < 3; c++) out[f + c] = Math.round(rgba.data[p + c]! * a + out[f + c]! * (1 - a));
    }
  }
}

// A glossy surface mirrors the product upside down, fading out over a quarter of its height.
function blendReflection(out: Buffer, product: Placed, width: number, height: number, strength: number): void {
  const { rgba } = product;
  const flipped = Buffer.alloc(rgba.data.length);
  const rowBytes = rgba.width * 4;
  for (let y = 0; y < rgba.height; y++) rgba.data.copy(flipped, (rgba.height - 1 - y) * rowBytes, y * rowBytes, (y + 1) * rowBytes);
  const floorInImage = product.box.top + product.box.height - product.top;
  const top = Math.round(product.top + 2 * floorInImage - rgba.height);
  const fade = product.box.height * 0.25;
  const start = rgba.height - floorInImage;
  blendOver(out, { ...rgba, data: flipped }, product.left, top, width, height, (y) => strength * Math.max(0, 1 - (y - start) / fade) * (y >= start ? 1 : 0));
}

// The vignette is centred on the light, so a light from one side rakes across the frame.
function drawVignette(width: number, height: number, strength: number, lightX: number): string {
  const edge = Math.round(255 * (1 - Math.min(0.8, strength)));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="v" cx="${0.5 + (lightX - 0.5) * 0.6}" cy="0.45" r="0.8">
<stop offset="0.45" stop-color="#fff"/><stop offset="1" stop-color="rgb(${edge},${edge},${edge})"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#v)"/></svg>`;
}

import sharp from "sharp";
import { drawBackdrop, LOOKS, type Viewpoint } from "./backdrops";
import { findBox, type Cutout } from "./cutout";
import { encodeImage, type RawImage } from "./image";
import { frameSize, type LifestyleOptions } from "./options";
import type { StyleNudge } from "./style";
import type { ProductContext } from "./types";

export type Composition = "in-scene" | "close-up" | "artistic-angle";

/** Compositions in the order they are made: two per run, or three. */
export const COMPOSITIONS: Composition[] = ["in-scene", "close-up", "artistic-angle"];

/** Where the product is put and how it is seen, with the evidence for it (for the job's notes). */
export interface Scene {
  view: Viewpoint;
  reason: string;
}

interface Framing {
  /** Product's solid height and largest width as shares of the frame (a close-up overflows it). */
  height: number;
  maxWidth: number;
  /** Where the product's box centre goes, as shares of the frame. */
  centreX: number;
  /** Bottom of the product's box (table and floor: where it stands), or its centre (top view). */
  anchorY: number;
  horizon: number;
  /** Background blur for depth of field, in px at 2048. */
  blur: number;
  lightX: number;
  /** How far the shadow falls away from the light, as a share of product width. */
  shadowShift: number;
  /** Camera roll in degrees (the artistic angle) and raking side light (0 none). */
  tilt: number;
  sideLight: number;
  /** Product turned on the surface, degrees (top view only). */
  turn: number;
}

// "in-scene" shows the setting around a smaller product; "close-up" crops into a detail (the
// product overflows the frame, background far out of focus); "artistic-angle" moves the product to a
// third, lowers the camera, rolls it and rakes the light from one side with a long shadow.
const FRAMINGS: Record<Viewpoint, Record<Composition, Framing>> = {
  table: {
    "in-scene": {
      height: 0.42,
      maxWidth: 0.55,
      centreX: 0.5,
      anchorY: 0.8,
      horizon: 0.58,
      blur: 4,
      lightX: 0.3,
      shadowShift: 0.1,
      tilt: 0,
      sideLight: 0,
      turn: 0,
    },
    "close-up": {
      height: 1.25,
      maxWidth: 1.2,
      centreX: 0.5,
      anchorY: 1.12,
      horizon: 0.9,
      blur: 16,
      lightX: 0.5,
      shadowShift: 0,
      tilt: 0,
      sideLight: 0,
      turn: 0,
    },
    "artistic-angle": {
      height: 0.5,
      maxWidth: 0.45,
      centreX: 0.64,
      anchorY: 0.84,
      horizon: 0.44,
      blur: 7,
      lightX: 0.06,
      shadowShift: 0.6,
      tilt: -5,
      sideLight: 0.38,
      turn: 0,
    },
  },
  floor: {
    "in-scene": {
      height: 0.62,
      maxWidth: 0.74,
      centreX: 0.5,
      anchorY: 0.9,
      horizon: 0.5,
      blur: 3,
      lightX: 0.3,
      shadowShift: 0.08,
      tilt: 0,
      sideLight: 0,
      turn: 0,
    },
    "close-up": {
      height: 1.2,
      maxWidth: 1.15,
      centreX: 0.5,
      anchorY: 1.08,
      horizon: 0.62,
      blur: 12,
      lightX: 0.5,
      shadowShift: 0,
      tilt: 0,
      sideLight: 0,
      turn: 0,
    },
    "artistic-angle": {
      height: 0.6,
      maxWidth: 0.62,
      centreX: 0.6,
      anchorY: 0.93,
      horizon: 0.38,
      blur: 5,
      lightX: 0.06,
      shadowShift: 0.45,
      tilt: -4,
      sideLight: 0.32,
      turn: 0,
    },
  },
  top: {
    "in-scene": {
      height: 0.5,
      maxWidth: 0.5,
      centreX: 0.5,
      anchorY: 0.5,
      horizon: 0,
      blur: 1,
      lightX: 0.25,
      shadowShift: 0.03,
      tilt: 0,
      sideLight: 0,
      turn: 0,
    },
    "close-up": {
      height: 1.3,
      maxWidth: 1.3,
      centreX: 0.5,
      anchorY: 0.58,
      horizon: 0,
      blur: 2,
      lightX: 0.4,
      shadowShift: 0.02,
      tilt: 0,
      sideLight: 0,
      turn: 0,
    },
    "artistic-angle": {
      height: 0.56,
      maxWidth: 0.56,
      centreX: 0.6,
      anchorY: 0.56,
      horizon: 0,
      blur: 1,
      lightX: 0.02,
      shadowShift: 0.07,
      tilt: 0,
      sideLight: 0.3,
      turn: 18,
    },
  },
};

// Words that say the product is seen from above, or is big (it stands on the floor).
const TOP_WORDS =
  /\b(plates?|platters?|flat[- ]?lays?|top[- ]?view|overhead|from above|bird'?s[- ]eye|trays?|coasters?|placemats?|chargers?)\b/i;
const LARGE_WORDS =
  /\b(sofas?|couch(es)?|armchairs?|chairs?|tables?|desks?|beds?|bicycles?|bikes?|e-?bikes?|motorcycles?|motorbikes?|scooters?|wardrobes?|cabinets?|dressers?|bookcases?|bookshelf|bookshelves|shelving|floor lamps?|strollers?|prams?|treadmills?|furniture|benches|bench|stools?|ottomans?|sideboards?|mattress(es)?|fridges?|refrigerators?|washing machines?|lawn ?mowers?|kayaks?|surfboards?)\b/i;

/**
 * The viewpoint that respects the photo: a product photographed from above goes onto a surface seen
 * from above; a large one onto a floor-level scene; anything else onto a tabletop. Evidence: the
 * product's title, type and tags, Vision's labels when configured, and the silhouette (a round outline
 * with no flat base is a plate or a cup seen from above).
 */
export function chooseScene(cutout: Cutout, product?: ProductContext, labels: string[] = []): Scene {
  const words = [product?.title, product?.productType, ...(product?.tags ?? []), ...labels].filter(Boolean).join(" ");
  const large = LARGE_WORDS.exec(words);
  if (large) return { view: "floor", reason: `"${large[0]}" is a large product` };
  const top = TOP_WORDS.exec(words);
  if (top) return { view: "top", reason: `"${top[0]}" says it is seen from above` };
  if (looksTopDown(cutout)) return { view: "top", reason: "its outline is round with no base it stands on" };
  return { view: "table", reason: "a product standing on its base" };
}

// A standing product's outline ends in a base as wide as a good part of it (a jar, a bottle, a cup
// from the side); a plate or a cup seen from above is round all the way, narrow at the bottom.
function looksTopDown(cutout: Cutout): boolean {
  const { rgba } = cutout;
  const aspect = rgba.width / rgba.height;
  if (aspect < 0.8 || aspect > 1.25) return false;
  let solid = 0;
  for (let i = 3; i < rgba.data.length; i += 4) if (rgba.data[i] >= 128) solid++;
  const coverage = solid / (rgba.width * rgba.height);
  // A disc covers π/4 of its box; a rectangle all of it, a star much less.
  if (coverage < 0.66 || coverage > 0.86) return false;
  const widthAt = (share: number) => {
    const y = Math.min(rgba.height - 1, Math.floor(rgba.height * share));
    let n = 0;
    for (let x = 0; x < rgba.width; x++) if (rgba.data[(y * rgba.width + x) * 4 + 3] >= 128) n++;
    return n / rgba.width;
  };
  return widthAt(0.97) < 0.45 && widthAt(0.5) > 0.85;
}

/**
 * Composes the cut-out product into a photographed-looking scene from the scene's viewpoint: preset
 * backdrop with depth of field, a shadow falling away from the light (a contact shadow under a
 * standing product, a soft drop shadow around one seen from above), a faint reflection on glossy
 * tabletops, then the preset's colour grade, the style nudge, side light and a vignette.
 * `scale` is output pixels per cut-out pixel.
 */
export async function composeLifestyle(
  cutout: Cutout,
  options: LifestyleOptions,
  composition: Composition,
  nudge: StyleNudge,
  scene: Scene = { view: "table", reason: "default" },
): Promise<{ data: Buffer; width: number; height: number; scale: number }> {
  const { width, height } = frameSize(options.size, options.ratio);
  const look = LOOKS[options.preset];
  const seed = COMPOSITIONS.indexOf(composition) * 7 + 3;
  let framing = FRAMINGS[scene.view][composition];
  const product = await placeProduct(cutout, framing, scene.view, width, height);
  // A wide, low product cannot be as tall as a close-up asks: it stands higher in the frame instead,
  // and the surface's edge goes behind it rather than above its base.
  if (scene.view !== "top")
    framing = {
      ...framing,
      horizon: Math.min(framing.horizon, Math.round(((product.box.top + product.box.height) / height - 0.12) * 100) / 100),
    };
  const backdrop = await renderBackdrop(options, scene.view, framing, width, height, seed, nudge);
  const shadow =
    scene.view === "top" ? await drawDropShadow(product, framing, width, height) : await drawContactShadow(product, framing, width, height);
  const out = backdrop;
  const darkness = look.shadowDarkness;
  for (let i = 0; i < shadow.length; i++) {
    const s = shadow[i];
    if (s === 0) continue;
    const k = 1 - (darkness * s) / 255;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(out[i * 3 + c] * k);
  }
  if (look.reflection > 0 && scene.view === "table") blendReflection(out, product, width, height, look.reflection);
  blendOver(out, product.rgba, product.left, product.top, width, height);

  const vignette = Math.max(0, look.vignette + nudge.vignette);
  const scale = look.grade.map((g, c) => g * nudge.balance[c] * nudge.brightness);
  const overlays: sharp.OverlayOptions[] = [
    { input: Buffer.from(drawVignette(width, height, vignette, framing.lightX)), blend: "multiply" },
  ];
  if (framing.sideLight > 0)
    overlays.push({ input: Buffer.from(drawSideLight(width, height, framing.sideLight, framing.lightX)), blend: "multiply" });
  let graded = await sharp(out, { raw: { width, height, channels: 3 } })
    .linear(scale, [0, 0, 0])
    .modulate({ saturation: nudge.saturation })
    .composite(overlays)
    .removeAlpha()
    .raw()
    .toBuffer();
  if (framing.tilt !== 0) graded = await rollCamera(graded, width, height, framing.tilt);
  const raw: RawImage = { data: graded, width, height, channels: 3 };
  return { data: await encodeImage(raw, options.format, "photo"), width, height, scale: product.scale };
}

// Rendering a backdrop (SVG textures, resize, depth-of-field blur) is most of a local lifestyle image,
// and a shop's runs repeat the same few (preset, composition, size) combinations: keep the latest
// ones, within a memory bound (a 2048x2560 backdrop is 15 MB).
const BACKDROP_CACHE_BYTES = 96 * 1024 * 1024;
const backdropCache = new Map<string, Buffer>();

async function renderBackdrop(
  options: LifestyleOptions,
  view: Viewpoint,
  framing: Framing,
  width: number,
  height: number,
  seed: number,
  nudge: StyleNudge,
): Promise<Buffer> {
  const key = JSON.stringify([options.preset, view, framing, width, height, seed, nudge.tint]);
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
  const svg = drawBackdrop(options.preset, w, h, { view, horizon: framing.horizon, lightX: framing.lightX, seed }, nudge.tint);
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
  scale: number;
}

async function placeProduct(cutout: Cutout, framing: Framing, view: Viewpoint, width: number, height: number): Promise<Placed> {
  let rgba = cutout.rgba;
  if (framing.turn !== 0) {
    const { data, info } = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } })
      .rotate(framing.turn, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .raw()
      .toBuffer({ resolveWithObject: true });
    rgba = { data, width: info.width, height: info.height, channels: 4 };
  }
  const alpha = Buffer.alloc(rgba.width * rgba.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba.data[i * 4 + 3]!;
  const solid = findBox(alpha, rgba.width, rgba.height, 128) ?? { left: 0, top: 0, width: rgba.width, height: rgba.height };
  // Seen from above, the frame's shorter side sets the size whatever the product's orientation.
  const side = view === "top" ? Math.min(width, height) : height;
  const scale = Math.min((framing.height * side) / solid.height, (framing.maxWidth * (view === "top" ? side : width)) / solid.width);
  const pw = Math.max(1, Math.round(rgba.width * scale));
  const ph = Math.max(1, Math.round(rgba.height * scale));
  const resized = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } })
    .resize(pw, ph, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer();
  const boxW = solid.width * scale;
  const boxH = solid.height * scale;
  const boxLeft = framing.centreX * width - boxW / 2;
  // Standing products stand on anchorY; one that a close-up cannot make tall enough to overflow the
  // frame is raised until its middle is a little below the frame's.
  const boxTop = view === "top" ? framing.anchorY * height - boxH / 2 : Math.min(framing.anchorY * height, 0.62 * height + boxH / 2) - boxH;
  return {
    rgba: { data: resized, width: pw, height: ph, channels: 4 },
    left: Math.round(boxLeft - solid.left * scale),
    top: Math.round(boxTop - solid.top * scale),
    box: { left: boxLeft, top: boxTop, width: boxW, height: boxH },
    scale,
  };
}

async function drawContactShadow(product: Placed, framing: Framing, width: number, height: number): Promise<Buffer> {
  const { box } = product;
  const floor = box.top + box.height;
  const cx = box.left + box.width / 2;
  const away = framing.lightX < 0.5 ? 1 : -1;
  const shift = framing.shadowShift * box.width * away;
  const ry = Math.max(3, box.width * 0.06);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#000"/>
<ellipse cx="${cx + shift}" cy="${floor - ry * 0.2}" rx="${box.width * 0.55 + Math.abs(shift) * 0.6}" ry="${ry * 1.8}" fill="#fff" fill-opacity="0.45"/>
<ellipse cx="${cx + shift * 0.2}" cy="${floor - ry * 0.4}" rx="${box.width * 0.46}" ry="${ry * 0.7}" fill="#fff" fill-opacity="0.85"/></svg>`;
  return sharp(Buffer.from(svg))
    .extractChannel(0)
    .blur(Math.max(2, box.width * 0.03))
    .raw()
    .toBuffer();
}

// Seen from above, a product casts its own outline onto the surface, offset away from the light.
async function drawDropShadow(product: Placed, framing: Framing, width: number, height: number): Promise<Buffer> {
  const { rgba, box } = product;
  const canvas = Buffer.alloc(width * height);
  const offset = Math.max(box.width, box.height) * framing.shadowShift;
  const dx = Math.round((framing.lightX < 0.5 ? 1 : -1) * offset);
  const dy = Math.round(offset);
  for (let y = 0; y < rgba.height; y++) {
    const fy = product.top + y + dy;
    if (fy < 0 || fy >= height) continue;
    for (let x = 0; x < rgba.width; x++) {
      const fx = product.left + x + dx;
      if (fx >= 0 && fx < width) canvas[fy * width + fx] = rgba.data[(y * rgba.width + x) * 4 + 3]!;
    }
  }
  return sharp(canvas, { raw: { width, height, channels: 1 } })
    .blur(Math.max(2, Math.max(box.width, box.height) * 0.03))
    .linear(0.8, 0)
    .raw()
    .toBuffer();
}

function blendOver(
  out: Buffer,
  rgba: RawImage,
  left: number,
  top: number,
  width: number,
  height: number,
  opacity = (_y: number) => 1,
): void {
  for (let y = Math.max(0, -top); y < Math.min(rgba.height, height - top); y++) {
    const o = opacity(y);
    if (o <= 0) continue;
    for (let x = Math.max(0, -left); x < Math.min(rgba.width, width - left); x++) {
      const p = (y * rgba.width + x) * 4;
      const a = (rgba.data[p + 3] / 255) * o;
      if (a === 0) continue;
      const f = ((top + y) * width + left + x) * 3;
      for (let c = 0; c < 3; c++) out[f + c] = Math.round(rgba.data[p + c] * a + out[f + c] * (1 - a));
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
  blendOver(
    out,
    { ...rgba, data: flipped },
    product.left,
    top,
    width,
    height,
    (y) => strength * Math.max(0, 1 - (y - start) / fade) * (y >= start ? 1 : 0),
  );
}

// The artistic angle's camera roll: the frame turned and enlarged just enough that no corner is empty.
async function rollCamera(pixels: Buffer, width: number, height: number, degrees: number): Promise<Buffer> {
  const t = (Math.abs(degrees) * Math.PI) / 180;
  const cover = Math.cos(t) + Math.sin(t) * Math.max(width / height, height / width);
  const w = Math.ceil(width * cover);
  const h = Math.ceil(height * cover);
  const rotated = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .resize(w, h, { fit: "fill" })
    .rotate(degrees)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(rotated.data, { raw: { width: rotated.info.width, height: rotated.info.height, channels: 3 } })
    .extract({ left: Math.floor((rotated.info.width - width) / 2), top: Math.floor((rotated.info.height - height) / 2), width, height })
    .raw()
    .toBuffer();
}

// The vignette is centred on the light, so a light from one side rakes across the frame.
function drawVignette(width: number, height: number, strength: number, lightX: number): string {
  const edge = Math.round(255 * (1 - Math.min(0.8, strength)));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="v" cx="${0.5 + (lightX - 0.5) * 0.6}" cy="0.45" r="0.8">
<stop offset="0.45" stop-color="#fff"/><stop offset="1" stop-color="rgb(${edge},${edge},${edge})"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#v)"/></svg>`;
}

// Hard light from one side: the far side of the frame falls off into shade.
function drawSideLight(width: number, height: number, strength: number, lightX: number): string {
  const dark = Math.round(255 * (1 - Math.min(0.7, strength)));
  const fromLeft = lightX < 0.5;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="s" x1="${fromLeft ? 0 : 1}" y1="0" x2="${fromLeft ? 1 : 0}" y2="0.3">
<stop offset="0.25" stop-color="#fff"/><stop offset="1" stop-color="rgb(${dark},${dark},${dark})"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#s)"/></svg>`;
}

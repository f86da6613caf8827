import sharp from "sharp";
import type { Cutout } from "./cutout";
import { encodeImage, type RawImage } from "./image";
import { frameSize, type WhiteOptions } from "./options";

/** A white-background image plus the masks the quality gate needs to tell product from background. */
export interface WhiteComposition {
  data: Buffer;
  raw: RawImage;
  width: number;
  height: number;
  productMask: Buffer;
  shadowMask: Buffer;
}

// Alpha this faint after resizing is ringing from the resampling kernel, not product: left white.
const ALPHA_FLOOR = 8;
const SHADOW_DARKNESS = 0.3;

interface Shadow {
  /** Opacity 0-255, `width` x `height`, to be drawn with its top-left at (left, top) of the frame. */
  data: Buffer;
  width: number;
  height: number;
  /** Offsets from the product's bottom-left corner. */
  dx: number;
  dy: number;
  /** How far its visible (non-white) part reaches below the product's bottom, px. */
  below: number;
}

/**
 * Places the product on pure #FFFFFF so that an outside checker, who sees only non-white pixels,
 * measures what was asked: everything non-white (product and its shadow) fits inside a box of
 * fill×width by fill×height, touching at least one side, and is centred, so the frame keeps a pure
 * white band on all four edges. A product the photo cut off stays flush with the frame on the cut
 * side (the cut is shown as a cut, not as a floating edge) and gets no floor shadow under a cut bottom.
 */
export async function composeWhite(
  cutout: Cutout,
  options: Pick<WhiteOptions, "size" | "ratio" | "fill" | "shadow" | "format">,
): Promise<WhiteComposition> {
  const { width, height } = frameSize(options.size, options.ratio);
  const { rgba, touchedEdges } = cutout;
  const cut = new Set(touchedEdges);
  const withShadow = options.shadow && !cut.has("bottom");
  // Both sides of an axis cut: the product spans the frame that way, as it spanned the photo.
  const spanX = cut.has("left") && cut.has("right");
  const spanY = cut.has("top") && cut.has("bottom");
  const limitX = spanX ? width : options.fill * width;
  const limitY = spanY ? height : options.fill * height;
  let scale = Math.min(limitX / rgba.width, limitY / rgba.height);
  let shadow: Shadow | null = null;
  // The shadow grows with the product: fit product plus shadow, re-measured after one correction.
  for (let pass = 0; pass < 2 && withShadow; pass++) {
    shadow = await drawContactShadow(Math.max(1, Math.round(rgba.width * scale)));
    const total = rgba.height * scale + shadow.below;
    if (total <= limitY + 0.5) break;
    scale *= limitY / total;
  }
  if (withShadow) shadow = await drawContactShadow(Math.max(1, Math.round(rgba.width * scale)));
  const pw = Math.max(1, Math.round(rgba.width * scale));
  const ph = Math.max(1, Math.round(rgba.height * scale));
  const unionHeight = ph + (shadow?.below ?? 0);
  const left = cut.has("left") && !spanX ? 0 : cut.has("right") && !spanX ? width - pw : Math.round((width - pw) / 2);
  const top = cut.has("top") && !spanY ? 0 : cut.has("bottom") && !spanY ? height - ph : Math.round((height - unionHeight) / 2);
  const product = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } })
    .resize(pw, ph, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer();

  const out = Buffer.alloc(width * height * 3, 255);
  const shadowMask = Buffer.alloc(width * height);
  if (shadow) {
    const sl = left + shadow.dx;
    const st = top + ph + shadow.dy;
    for (let y = Math.max(0, -st); y < Math.min(shadow.height, height - st); y++) {
      for (let x = Math.max(0, -sl); x < Math.min(shadow.width, width - sl); x++) {
        const s = shadow.data[y * shadow.width + x];
        const v = Math.round(255 * (1 - (SHADOW_DARKNESS * s) / 255));
        if (v >= 255) continue;
        const f = (st + y) * width + sl + x;
        shadowMask[f] = s;
        out[f * 3] = v;
        out[f * 3 + 1] = v;
        out[f * 3 + 2] = Math.min(255, v + 1);
      }
    }
  }
  const productMask = Buffer.alloc(width * height);
  for (let y = Math.max(0, -top); y < Math.min(ph, height - top); y++) {
    for (let x = Math.max(0, -left); x < Math.min(pw, width - left); x++) {
      const p = (y * pw + x) * 4;
      const a = product[p + 3];
      if (a < ALPHA_FLOOR) continue;
      const f = (top + y) * width + left + x;
      productMask[f] = a;
      const k = a / 255;
      for (let c = 0; c < 3; c++) out[f * 3 + c] = Math.round(product[p + c] * k + out[f * 3 + c] * (1 - k));
    }
  }
  const raw: RawImage = { data: out, width, height, channels: 3 };
  const data = await encodeImage(raw, options.format, "white");
  return { data, raw, width, height, productMask, shadowMask };
}

/**
 * A soft contact shadow for a product `pw` px wide: a dark core where it meets the floor fading into
 * a faint penumbra, narrower than the product (so it never widens what a checker measures) and
 * reaching a little below it. Drawn on its own small canvas; pixels too faint to change #FFFFFF are
 * cut so its visible extent is known exactly.
 */
async function drawContactShadow(pw: number): Promise<Shadow> {
  const sigma = Math.max(1.5, pw * 0.018);
  const rx = pw * 0.4;
  const ry = Math.max(2, pw * 0.025);
  const margin = Math.ceil(3 * sigma);
  const w = pw + 2 * margin;
  const h = Math.ceil(ry * 2 + 2 * margin);
  const cy = margin + ry * 0.6;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#000"/>
<ellipse cx="${w / 2}" cy="${cy}" rx="${rx}" ry="${ry * 1.4}" fill="#fff" fill-opacity="0.4"/>
<ellipse cx="${w / 2}" cy="${cy}" rx="${rx * 0.8}" ry="${ry * 0.7}" fill="#fff" fill-opacity="0.75"/></svg>`;
  const data = await sharp(Buffer.from(svg)).extractChannel(0).blur(sigma).raw().toBuffer();
  // The shadow's rows are placed so its centre sits just above the product's bottom edge.
  const dy = -Math.round(cy + ry * 0.2);
  let below = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = data[y * w + x];
      if (Math.round(255 * (1 - (SHADOW_DARKNESS * s) / 255)) >= 255) {
        data[y * w + x] = 0;
        continue;
      }
      below = Math.max(below, y + dy + 1);
    }
  }
  return { data, width: w, height: h, dx: -margin, dy, below: Math.max(0, below) };
}

import sharp from "sharp";
import { findBox, type Box, type Cutout } from "./cutout";
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

// Alpha this faint after resizing is ringing from the resampling kernel, not product.
const ALPHA_FLOOR = 8;
const SHADOW_DARKNESS = 0.32;

/**
 * Places the product on pure #FFFFFF. "Fill" means the product's bounding box fits inside a box of
 * fill×width by fill×height, touching at least one side; for 1:1 its longer side is exactly fill×side.
 */
export async function composeWhite(cutout: Cutout, options: Pick<WhiteOptions, "size" | "ratio" | "fill" | "shadow" | "format">): Promise<WhiteComposition> {
  const { width, height } = frameSize(options.size, options.ratio);
  const { rgba } = cutout;
  // Measured on the solid part of the product, as the gate measures it, not on its faint fringe.
  const solid = findSolidBox(rgba);
  const scale = Math.min((options.fill * width) / solid.width, (options.fill * height) / solid.height);
  const pw = Math.max(1, Math.round(rgba.width * scale));
  const ph = Math.max(1, Math.round(rgba.height * scale));
  const left = Math.round(width / 2 - (solid.left + solid.width / 2) * scale);
  const top = Math.round(height / 2 - (solid.top + solid.height / 2) * scale);
  const product = await sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } })
    .resize(pw, ph, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer();

  const shadowMask = options.shadow ? await drawContactShadow(width, height, { left, top, width: pw, height: ph }) : Buffer.alloc(width * height);
  const out = Buffer.alloc(width * height * 3, 255);
  for (let i = 0; i < shadowMask.length; i++) {
    const s = shadowMask[i]!;
    if (s === 0) continue;
    const v = Math.round(255 * (1 - (SHADOW_DARKNESS * s) / 255));
    out[i * 3] = v;
    out[i * 3 + 1] = v;
    out[i * 3 + 2] = Math.min(255, v + 1);
  }
  const productMask = Buffer.alloc(width * height);
  for (let y = Math.max(0, -top); y < Math.min(ph, height - top); y++) {
    for (let x = Math.max(0, -left); x < Math.min(pw, width - left); x++) {
      const p = (y * pw + x) * 4;
      const a = product[p + 3]!;
      if (a < ALPHA_FLOOR) continue;
      const f = (top + y) * width + left + x;
      productMask[f] = a;
      const k = a / 255;
      for (let c = 0; c < 3; c++) out[f * 3 + c] = Math.round(product[p + c]! * k + out[f * 3 + c]! * (1 - k));
    }
  }
  const raw: RawImage = { data: out, width, height, channels: 3 };
  const data = await encodeImage(raw, options.format, "white");
  return { data, raw, width, height, productMask, shadowMask };
}

function findSolidBox(rgba: RawImage): Box {
  const alpha = Buffer.alloc(rgba.width * rgba.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba.data[i * 4 + 3]!;
  return findBox(alpha, rgba.width, rgba.height, 128) ?? { left: 0, top: 0, width: rgba.width, height: rgba.height };
}

/**
 * A soft contact shadow: a tight dark core where the product meets the floor and a wide faint
 * penumbra. Returns its opacity per pixel (0 = no shadow; the gate treats non-zero as shadow, not background).
 */
async function drawContactShadow(width: number, height: number, product: { left: number; top: number; width: number; height: number }): Promise<Buffer> {
  const cx = product.left + product.width / 2;
  const floor = product.top + product.height;
  const rx = product.width * 0.46;
  const ry = Math.max(3, product.width * 0.035);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="#000"/>
<ellipse cx="${cx}" cy="${floor - ry * 0.2}" rx="${rx * 1.1}" ry="${ry * 2.2}" fill="#fff" fill-opacity="0.35"/>
<ellipse cx="${cx}" cy="${floor - ry * 0.5}" rx="${rx * 0.85}" ry="${ry}" fill="#fff" fill-opacity="0.7"/>
</svg>`;
  const sigma = Math.max(2, product.width * 0.025);
  return sharp(Buffer.from(svg)).extractChannel(0).blur(sigma).raw().toBuffer();
}

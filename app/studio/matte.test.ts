import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { cutOutProduct, type Cutout } from "./cutout";
import type { RawImage } from "./image";
import { whiteOptionsSchema } from "./options";
import type { ModelMask } from "./segment";
import { chooseSubject } from "./subject";
import { composeWhite } from "./white";

const PRODUCT = [30, 60, 160] as const;
const WOOD = [150, 95, 45] as const;
// A phone-sized photo, as the demo store's: the model's 1024x1024 mask is stretched onto it.
const [W, H, CX, CY, RADIUS] = [1600, 1200, 800, 600, 400];

/**
 * A blue disc with a soft (photographed) edge on brown wood, and a mask as the segmentation model gives
 * one: soft, at 1024x1024 (the photo stretched to a square).
 */
async function makeScene(): Promise<{ image: RawImage; mask: ModelMask }> {
  const disc = (r: number, fill: string, bg: string) =>
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="${bg}"/><circle cx="${CX}" cy="${CY}" r="${r}" fill="${fill}"/></svg>`,
    );
  const { data } = await sharp(disc(RADIUS, `rgb(${PRODUCT})`, `rgb(${WOOD})`))
    .removeAlpha()
    .blur(1.2)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const modelMask = await sharp(disc(RADIUS, "#fff", "#000"))
    .extractChannel(0)
    .resize(1024, 1024, { fit: "fill" })
    .blur(1)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { image: { data, width: W, height: H, channels: 3 }, mask: { data: new Uint8Array(modelMask), width: 1024, height: 1024 } };
}

/** What a plain cut-out is: the photo's pixels as they are, under the mask stretched to the photo. */
async function plainCutout(image: RawImage, mask: ModelMask): Promise<Cutout> {
  const alpha = await sharp(Buffer.from(mask.data), { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .resize(image.width, image.height, { fit: "fill" })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const data = Buffer.alloc(image.width * image.height * 4);
  for (let i = 0; i < alpha.length; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = image.data[i * 3 + c]!;
    data[i * 4 + 3] = alpha[i]!;
  }
  return {
    rgba: { data, width: image.width, height: image.height, channels: 4 },
    box: { left: 0, top: 0, width: image.width, height: image.height },
    sourceWidth: image.width,
    sourceHeight: image.height,
    touchedEdges: [],
  };
}

/**
 * The fringe, measured on the white-background output: every edge pixel (partly covered by product)
 * should be a mix of the product's blue and white. Returns the mean distance (RGB units) of edge pixels
 * from that blue-to-white line, and the share of edge pixels nearer the wood than the line.
 */
async function measureFringe(cutout: Cutout): Promise<{ distance: number; woodish: number; edgePixels: number }> {
  const composed = await composeWhite(cutout, whiteOptionsSchema.parse({ size: 1000, format: "png", shadow: false }));
  const { data } = composed.raw;
  const line = PRODUCT.map((v) => 255 - v);
  const lineLength = Math.hypot(...line);
  let distance = 0;
  let woodish = 0;
  let edgePixels = 0;
  for (let i = 0; i < composed.productMask.length; i++) {
    const a = composed.productMask[i];
    if (a === 0 || a === 255) continue;
    const pixel = [data[i * 3], data[i * 3 + 1], data[i * 3 + 2]];
    const t = Math.min(1, Math.max(0, pixel.reduce((sum, v, c) => sum + (v - PRODUCT[c]) * line[c], 0) / lineLength ** 2));
    const fromLine = Math.hypot(...pixel.map((v, c) => v - (PRODUCT[c] + t * line[c])));
    const fromWood = Math.hypot(...pixel.map((v, c) => v - WOOD[c]));
    distance += fromLine;
    if (fromWood < fromLine) woodish++;
    edgePixels++;
  }
  return { distance: distance / edgePixels, woodish: woodish / edgePixels, edgePixels };
}

describe("the cut-out's edge", () => {
  it("carries no fringe of the old background onto white, where the plain cut-out did", async () => {
    const { image, mask } = await makeScene();

    const before = await measureFringe(await plainCutout(image, mask));
    const after = await measureFringe(cutOutProduct(image, chooseSubject(mask)));

    // The plain cut-out's edge is visibly brown: well off the blue-white line.
    expect(before.distance).toBeGreaterThan(12);
    // Decontaminated: edge pixels sit on the blue-white line, within a few RGB units.
    expect(after.distance).toBeLessThan(8);
    expect(after.woodish).toBeLessThan(0.02);
    expect(after.edgePixels).toBeGreaterThan(500);
  });

  it("gives the outline a one-to-three-pixel anti-aliased edge on the model's half-way contour, and nothing faint outside it", async () => {
    const { image, mask } = await makeScene();
    const cutout = cutOutProduct(image, chooseSubject(mask));
    const { data, width } = cutout.rgba;
    // Walk a row through the centre, from the left, in source coordinates.
    const row = CY - cutout.box.top;
    const alphaAt = (x: number) => (x < cutout.box.left ? 0 : data[(row * width + x - cutout.box.left) * 4 + 3]);
    const edge = CX - RADIUS;
    const soft: number[] = [];
    for (let x = cutout.box.left; x < edge + 10; x++) if (alphaAt(x) > 0 && alphaAt(x) < 255) soft.push(x);
    // The stretched model mask is soft over ~5 px; the cut-out's edge is soft over 1-3 px, on the real edge.
    expect(soft.length).toBeGreaterThanOrEqual(1);
    expect(soft.length).toBeLessThanOrEqual(3);
    const centre = soft.reduce((sum, x) => sum + x, 0) / soft.length;
    expect(Math.abs(centre - edge)).toBeLessThanOrEqual(1.5);
    expect(alphaAt(edge - 3)).toBe(0);
    expect(alphaAt(edge + 3)).toBe(255);
    // The crop holds no faint alpha away from the edge: every column left of the edge band is empty.
    for (let x = cutout.box.left; x < edge - 3; x++) expect(alphaAt(x)).toBe(0);
  });
});

import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { Cutout } from "./cutout";
import { checkWhiteBackground, isWhiteCompliant } from "./gate";
import { whiteOptionsSchema } from "./options";
import { composeWhite } from "./white";

/** A dark disc with a soft edge, as a cut-out 300x200 (wider than tall). */
async function makeCutout(): Promise<Cutout> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><ellipse cx="150" cy="100" rx="150" ry="100" fill="#1b3a8c"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    rgba: { data, width: info.width, height: info.height, channels: 4 },
    box: { left: 0, top: 0, width: 300, height: 200 },
    sourceWidth: 300,
    sourceHeight: 200,
    touchedEdges: [],
  };
}

describe("composeWhite", () => {
  it.each(["jpeg", "png", "webp"] as const)("keeps every background pixel exactly white after %s encoding", async (format) => {
    const options = whiteOptionsSchema.parse({ size: 1000, format });
    const composed = await composeWhite(await makeCutout(), options);
    const report = await checkWhiteBackground(composed.data, { product: composed.productMask, shadow: composed.shadowMask });
    expect(report).toMatchObject({ format, width: 1000, height: 1000, backgroundPurity: 1, centred: true });
    expect(isWhiteCompliant(report, options)).toBe(true);
    // The corners are far from everything: they must be pure white in the decoded file itself.
    const { data } = await sharp(composed.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([255, 255, 255]);
  });

  it("makes the product's longer side fill × side for a square frame", async () => {
    const composed = await composeWhite(await makeCutout(), whiteOptionsSchema.parse({ size: 1000, fill: 0.8, format: "png" }));
    const report = await checkWhiteBackground(composed.data, { product: composed.productMask });
    expect(report.fillRatio).toBeCloseTo(0.8, 2);
  });

  it("fits the product inside fill × width by fill × height for a tall frame", async () => {
    const options = whiteOptionsSchema.parse({ size: 1000, ratio: "9:16", fill: 0.9, format: "png", shadow: false });
    const composed = await composeWhite(await makeCutout(), options);
    expect([composed.width, composed.height]).toEqual([563, 1000]);
    const report = await checkWhiteBackground(composed.data, { product: composed.productMask });
    expect(report.fillRatio).toBeCloseTo(0.9, 2);
    expect(report.centred).toBe(true);
  });

  it("draws a light contact shadow below the product and counts it apart from the background", async () => {
    const composed = await composeWhite(await makeCutout(), whiteOptionsSchema.parse({ size: 1000, format: "png" }));
    const { data } = await sharp(composed.data).raw().toBuffer({ resolveWithObject: true });
    let darkest = 255;
    for (let i = 0; i < composed.shadowMask.length; i++) {
      if (composed.shadowMask[i] > 0 && composed.productMask[i] === 0) darkest = Math.min(darkest, data[i * 3]);
    }
    expect(darkest).toBeLessThan(235);
    expect(darkest).toBeGreaterThan(150);
    const withoutShadow = await composeWhite(await makeCutout(), whiteOptionsSchema.parse({ size: 1000, format: "png", shadow: false }));
    expect(withoutShadow.shadowMask.every((v) => v === 0)).toBe(true);
  });
});

describe("checkWhiteBackground without masks", () => {
  it("reports an AI-style off-white background as impure, with no white border and everything counted as fill", async () => {
    const offWhite = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 254, g: 254, b: 253 } } })
      .composite([{ input: Buffer.from('<svg width="400" height="400"><rect x="20" y="30" width="150" height="200" fill="#822"/></svg>') }])
      .png()
      .toBuffer();
    const report = await checkWhiteBackground(offWhite);
    // An outside checker sees only non-white pixels: 254,254,253 is not white, so nothing is.
    expect(report.backgroundPurity).toBe(0);
    expect(report.borderPurity).toBe(0);
    expect(report.fillRatio).toBe(1);
    expect(isWhiteCompliant(report, { size: 400, fill: 0.85 })).toBe(false);
  });
});

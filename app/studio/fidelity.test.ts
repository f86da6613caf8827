import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { Cutout } from "./cutout";
import { FIDELITY_THRESHOLD, measureFidelity } from "./fidelity";

async function cutoutOf(svgBody: string, width = 200, height = 300): Promise<Cutout> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svgBody}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    rgba: { data, width: info.width, height: info.height, channels: 4 },
    box: { left: 0, top: 0, width, height },
    sourceWidth: width,
    sourceHeight: height,
    touchedEdges: [],
  };
}

const jar = `<rect width="200" height="300" rx="30" fill="#b22"/><rect x="20" y="120" width="160" height="80" fill="#f4ecd8"/><rect x="40" y="150" width="120" height="20" fill="#222"/>`;

describe("measureFidelity", () => {
  it("scores the same product, re-rendered larger, as faithful", async () => {
    const bigger = await cutoutOf(`<g transform="scale(2)">${jar}</g>`, 400, 600);
    expect(await measureFidelity(await cutoutOf(jar), bigger)).toBeGreaterThan(0.9);
  });

  it("flags a product whose colour and shape changed", async () => {
    const changed = await cutoutOf(`<circle cx="150" cy="100" r="100" fill="#2a6"/>`, 300, 200);
    expect(await measureFidelity(await cutoutOf(jar), changed)).toBeLessThan(FIDELITY_THRESHOLD);
  });
});

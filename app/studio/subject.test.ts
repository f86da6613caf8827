import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { ModelMask } from "./segment";
import { chooseSubject } from "./subject";

/** A model-style mask (1024x1024) drawn from SVG shapes in white on black, lightly soft. */
async function maskOf(shapes: string): Promise<ModelMask> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024"><rect width="100%" height="100%" fill="#000"/>${shapes}</svg>`;
  const data = await sharp(Buffer.from(svg)).extractChannel(0).blur(1).raw().toBuffer();
  return { data: new Uint8Array(data), width: 1024, height: 1024 };
}
const solidArea = (mask: ModelMask) => mask.data.reduce((n, v) => n + (v >= 128 ? 1 : 0), 0);

describe("chooseSubject", () => {
  it("keeps the central product and drops a small tag beside it and a large object cut by the frame", async () => {
    const product = `<rect x="380" y="300" width="260" height="420" fill="#fff"/>`;
    const mask = await maskOf(
      `${product}<rect x="700" y="640" width="90" height="50" fill="#fff"/><circle cx="0" cy="500" r="260" fill="#fff"/>`,
    );
    const choice = chooseSubject(mask, { title: "Jam" });
    expect(choice).toMatchObject({ keptObjects: 1, droppedObjects: 2, unclear: false, touchedEdges: [] });
    expect(solidArea(choice.mask)).toBeCloseTo(solidArea(await maskOf(product)), -3);
  });

  it("keeps both pieces of a pair as one product", async () => {
    const mask = await maskOf(
      `<rect x="150" y="500" width="320" height="160" fill="#fff"/><rect x="540" y="500" width="320" height="160" fill="#fff"/>`,
    );
    expect(chooseSubject(mask, { title: "Leather loafers, pair" })).toMatchObject({ keptObjects: 2, droppedObjects: 0 });
  });

  it("says when another object is nearly as likely to be the product", async () => {
    const mask = await maskOf(
      `<rect x="180" y="380" width="220" height="300" fill="#fff"/><rect x="640" y="380" width="220" height="290" fill="#fff"/>`,
    );
    const choice = chooseSubject(mask, { title: "Candle" });
    expect(choice.keptObjects).toBe(1);
    expect(choice.unclear).toBe(true);
    expect(choice.notes).toContain("another object was nearly as likely to be the product: check that the right one was kept");
  });

  it("reports the edges a product runs into, and not a corner it merely touches", async () => {
    expect(chooseSubject(await maskOf(`<rect x="300" y="400" width="400" height="700" fill="#fff"/>`)).touchedEdges).toEqual(["bottom"]);
    expect(chooseSubject(await maskOf(`<circle cx="512" cy="512" r="300" fill="#fff"/>`)).touchedEdges).toEqual([]);
  });

  it("finds nothing in an empty mask", async () => {
    expect(chooseSubject(await maskOf("")).keptObjects).toBe(0);
  });
});

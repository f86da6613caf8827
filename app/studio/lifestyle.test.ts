import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { makeProductPhoto } from "../../test/fakes/product-photo";
import { generate } from "./generate";
import { lifestyleOptionsSchema } from "./options";
import { readStyle } from "./style";

describe("readStyle", () => {
  it("turns mood and colour words into a warmer, darker, tinted look and ignores the rest", () => {
    const nudge = readStyle("Warm, moody evening with a touch of GOLD");
    expect(nudge.matched).toEqual(["warm", "moody", "gold"]);
    expect(nudge.balance[0]).toBeGreaterThan(nudge.balance[2]);
    expect(nudge.brightness).toBeLessThan(1);
    expect(nudge.tint).not.toBeNull();
    expect(readStyle("something else entirely").matched).toEqual([]);
  });
});

describe("generate lifestyle with the local provider (real segmentation)", () => {
  it("makes three different compositions in the requested ratio with the product in each", async () => {
    const photo = await makeProductPhoto({ width: 800, height: 600 });
    const result = await generate(
      {
        mode: "lifestyle",
        options: lifestyleOptionsSchema.parse({ preset: "rustic-wood", size: 1000, style: "warm and pastel" }),
        photos: [photo],
        product: { title: "Jam" },
        provider: "local",
      },
      {},
    );
    expect(result.outputs.map((o) => o.composition)).toEqual(["in-scene", "close-up", "artistic-angle"]);
    expect(result.notes).toContain("style keywords applied: warm, pastel");
    const thumbs: Buffer[] = [];
    for (const output of result.outputs) {
      expect(output).toMatchObject({ width: 800, height: 1000, format: "jpeg", provider: "local", promptVersion: "local-lifestyle-v1" });
      expect(output.report).toMatchObject({ kind: "lifestyle", bytes: output.data.length, fidelity: 1 });
      thumbs.push(await sharp(output.data).resize(16, 20).greyscale().raw().toBuffer());
    }
    // Different compositions, not one image three times.
    const differ = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    expect(differ(thumbs[0]!, thumbs[1]!)).toBeGreaterThan(8);
    expect(differ(thumbs[0]!, thumbs[2]!)).toBeGreaterThan(8);
    // The jar's red is present in the middle of the close-up.
    const { data } = await sharp(result.outputs[1]!.data).extract({ left: 350, top: 600, width: 100, height: 50 }).stats().then((s) => ({ data: s.channels.map((c) => c.mean) }));
    expect(data[0]!).toBeGreaterThan(data[2]! + 40);
  });
});

import sharp from "sharp";
import { describe, expect, it, vi } from "vitest";
import { makeProductPhoto } from "../../test/fakes/product-photo";
import type { Cutout } from "./cutout";
import { generate } from "./generate";
import { composeLifestyle } from "./lifestyle";
import { drawBackdrop } from "./backdrops";
import { lifestyleOptionsSchema, PRESET_NAMES } from "./options";
import { readStyle } from "./style";

// Several real model runs per test: slow when the machine is shared.
vi.setConfig({ testTimeout: 180_000 });

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
      expect(output).toMatchObject({ width: 800, height: 1000, format: "jpeg", provider: "local", promptVersion: "local-lifestyle-v2" });
      expect(output.report).toMatchObject({ kind: "lifestyle", bytes: output.data.length, fidelity: 1 });
      thumbs.push(await sharp(output.data).resize(16, 20).greyscale().raw().toBuffer());
    }
    // Different compositions, not one image three times.
    const differ = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
    expect(differ(thumbs[0], thumbs[1])).toBeGreaterThan(8);
    expect(differ(thumbs[0], thumbs[2])).toBeGreaterThan(8);
    // The close-up crops into the jar: its label fills the middle, its red body the lower part.
    const { data } = await sharp(result.outputs[1].data)
      .extract({ left: 350, top: 850, width: 100, height: 50 })
      .stats()
      .then((s) => ({ data: s.channels.map((c) => c.mean) }));
    expect(data[0]).toBeGreaterThan(data[2] + 40);
  });
});

describe("composeLifestyle's backdrop cache", () => {
  it("renders the same image again from the cached backdrop, without the first image drawn into it", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300"><rect x="20" y="10" width="160" height="280" rx="30" fill="#2e86c1"/></svg>`;
    const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const cutout: Cutout = {
      rgba: { data, width: info.width, height: info.height, channels: 4 },
      box: { left: 0, top: 0, width: 200, height: 300 },
      sourceWidth: 200,
      sourceHeight: 300,
      touchedEdges: [],
    };
    // A size no other test uses, so the first call renders.
    const options = lifestyleOptionsSchema.parse({ preset: "rustic-wood", size: 1111, format: "png" });

    const first = await composeLifestyle(cutout, options, "artistic-angle", readStyle("teal"));
    const second = await composeLifestyle(cutout, options, "artistic-angle", readStyle("teal"));

    // Identical: the cached backdrop was copied, not drawn on (shadow and product would show twice).
    expect(second.data.equals(first.data)).toBe(true);
    // A different tint is a different backdrop.
    const other = await composeLifestyle(cutout, options, "artistic-angle", readStyle("red"));
    expect(other.data.equals(first.data)).toBe(false);
  });
});

describe("drawBackdrop", () => {
  it("draws every preset from above (no wall), on a tabletop and in a floor-level room, each a different picture", async () => {
    for (const preset of PRESET_NAMES) {
      const thumbs = await Promise.all(
        (["top", "table", "floor"] as const).map((view) =>
          sharp(Buffer.from(drawBackdrop(preset, 200, 200, { view, horizon: 0.5, lightX: 0.3, seed: 3 }, null)))
            .resize(20, 20)
            .greyscale()
            .raw()
            .toBuffer(),
        ),
      );
      const differ = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
      expect(differ(thumbs[0], thumbs[1]), `${preset}: top vs table`).toBeGreaterThan(3);
      expect(differ(thumbs[1], thumbs[2]), `${preset}: table vs floor`).toBeGreaterThan(1);
    }
  });
});

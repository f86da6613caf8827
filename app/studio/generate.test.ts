import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { makeProductPhoto } from "../../test/fakes/product-photo";
import { generate } from "./generate";
import { whiteOptionsSchema } from "./options";
import type { StudioStage } from "./types";

describe("generate with the local provider", () => {
  it("makes a compliant white-background image from the sharpest of several photos and reports progress", async () => {
    // GIVEN a blurred photo and a sharp one of the same product
    const blurred = await makeProductPhoto({ width: 900, height: 700, blur: 6 });
    const sharpPhoto = await makeProductPhoto({ width: 900, height: 700, centre: [0.4, 0.55] });
    const stages: StudioStage[] = [];

    const result = await generate(
      {
        mode: "white",
        options: whiteOptionsSchema.parse({ size: 1000, topView: true }),
        photos: [blurred, sharpPhoto],
        product: { title: "Strawberry jam" },
        provider: "local",
        onProgress: (stage) => stages.push(stage),
      },
      {},
    );

    expect(result.usedPhotos).toEqual([1]);
    expect(result.notes).toContain("local cannot change the viewpoint; top view not applied");
    expect(result.outputs).toHaveLength(1);
    const [output] = result.outputs;
    expect(output).toMatchObject({
      format: "jpeg",
      width: 1000,
      height: 1000,
      provider: "local",
      prompt: null,
      promptVersion: "local-white-v2",
    });
    expect(output.report).toMatchObject({ kind: "white", backgroundPurity: 1, centred: true, bytes: output.data.length });
    expect(output.report.fillRatio).toBeCloseTo(0.85, 2);
    expect((await sharp(output.data).metadata()).format).toBe("jpeg");
    expect(new Set(stages)).toEqual(new Set(["analysing", "generating", "checking"]));
  });

  it("refuses a provider that is not configured, before doing any work", async () => {
    const photo = await makeProductPhoto({ width: 200, height: 150 });
    await expect(
      generate(
        { mode: "white", options: whiteOptionsSchema.parse({}), photos: [photo], product: { title: "Jam" }, provider: "gemini" },
        {},
      ),
    ).rejects.toMatchObject({ code: "PROVIDER_NOT_CONFIGURED", transient: false });
  });
});

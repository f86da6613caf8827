import { describe, expect, it } from "vitest";
import { makeProductPhoto } from "../../test/fakes/product-photo";
import { checkWhiteBackground, isWhiteCompliant, repairWhiteBackground } from "./gate";
import { whiteOptionsSchema } from "./options";

describe("repairWhiteBackground (real segmentation model)", () => {
  it("turns an off-white, off-centre, small product image into a compliant one and says what it fixed", async () => {
    // GIVEN what generative models often return: 254,254,253 background, product small and to one side
    const image = await makeProductPhoto({ width: 800, height: 600, background: "rgb(254,254,253)", centre: [0.3, 0.4], scale: 0.4 });
    // Without a shadow, so the mask-free recheck below has no soft shadow rim to count as background.
    const options = whiteOptionsSchema.parse({ size: 1200, shadow: false });
    expect(isWhiteCompliant(await checkWhiteBackground(image), options)).toBe(false);

    const repaired = await repairWhiteBackground(image, options);

    expect(repaired.report).toMatchObject({ width: 1200, height: 1200, backgroundPurity: 1, centred: true });
    expect(repaired.report.fillRatio).toBeCloseTo(0.85, 1);
    expect(isWhiteCompliant(repaired.report, options)).toBe(true);
    expect(repaired.report.repaired).toEqual(
      expect.arrayContaining([expect.stringMatching(/pure white/), "product re-centred", expect.stringMatching(/re-scaled/)]),
    );
    // Measured again from the file alone, with no mask, it still passes.
    const rechecked = await checkWhiteBackground(repaired.data);
    expect(rechecked.backgroundPurity).toBeGreaterThan(0.999);
    expect(rechecked.centred).toBe(true);
  });
});

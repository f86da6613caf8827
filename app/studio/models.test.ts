import { describe, expect, it } from "vitest";
import { MODELS, nativeSizeFor, pricePerImageUsd, resolveModel } from "./models";

describe("the model registry", () => {
  it("prices an image by the native size the provider will ask for, and the Batch API at its own price", () => {
    expect(pricePerImageUsd("gemini", "gemini-3-pro-image", 2048)).toBe(0.134);
    expect(pricePerImageUsd("gemini", "gemini-3-pro-image", 4096)).toBe(0.24);
    expect(pricePerImageUsd("gemini", "gemini-3-pro-image", 4096, { batch: true })).toBe(0.12);
    expect(pricePerImageUsd("gemini", "gemini-3.1-flash-image", "512")).toBe(0.045);
    expect(pricePerImageUsd("gemini", "gemini-2.5-flash-image", 2048)).toBe(0.039);
    expect(pricePerImageUsd("local", undefined, 2048)).toBe(0);
  });

  it("counts an unknown model at the highest known price, so estimates and the cap never undercount", () => {
    const dearest = Math.max(...MODELS.flatMap((m) => Object.values(m.price).filter((v): v is number => v !== undefined)));
    expect(pricePerImageUsd("gemini", "gemini-9-imaginary", 4096)).toBe(dearest);
    expect(resolveModel("gemini-9-imaginary")).toMatchObject({ known: false, spec: { maxReferenceImages: 3, canChangeViewpoint: false } });
  });

  it("resolves the names gateways use for the same models", () => {
    expect(resolveModel("nano-banana").spec.id).toBe("gemini-2.5-flash-image");
    expect(resolveModel("nano-banana-pro").spec.id).toBe("gemini-3-pro-image");
    expect(resolveModel("models/gemini-nano-banana-2.1").spec.id).toBe("gemini-nano-banana-2.1");
  });

  it("picks the native size nearest the requested side by scale factor", () => {
    const [flash] = MODELS.filter((m) => m.id === "gemini-3.1-flash-image");
    expect([500, 1000, 1400, 1500, 2048, 3000, 4096].map((side) => nativeSizeFor(flash, side))).toEqual([
      "512",
      "1K",
      "1K",
      "2K",
      "2K",
      "4K",
      "4K",
    ]);
  });

  it("has a price for every native size of every model, and the Batch API never dearer than interactive", () => {
    for (const model of MODELS) {
      for (const size of model.sizes) {
        expect(model.price[size], `${model.id} ${size}`).toBeGreaterThan(0);
        expect(model.batchPrice[size]!, `${model.id} ${size}`).toBeLessThanOrEqual(model.price[size]!);
      }
    }
  });
});

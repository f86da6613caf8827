import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { loadInputImage, MAX_INPUT_PIXELS } from "./input";
import { StudioError } from "./errors";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(StudioError);
  return (error as StudioError).code;
}

describe("loadInputImage", () => {
  it("refuses bytes that are not an image with a message for the merchant", async () => {
    const error = await loadInputImage(Buffer.from("%PDF-1.7 not a photo")).catch((e: StudioError) => e);
    expect(error).toMatchObject({ code: "INPUT_NOT_IMAGE", transient: false });
    expect((error as StudioError).merchantMessage).toMatch(/JPEG, PNG or WebP/);
  });

  it("refuses a decompression bomb from its header, without decoding it", async () => {
    // 8000x6000 of one colour compresses to a few KB but would decode to 144 MB.
    const bomb = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#fff" } }).png().toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    const started = Date.now();
    expect(await codeOf(loadInputImage(bomb))).toBe("INPUT_TOO_LARGE");
    expect(Date.now() - started).toBeLessThan(500);
    expect(MAX_INPUT_PIXELS).toBe(40_000_000);
  });

  it("honours a lower pixel limit given by the caller", async () => {
    const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#abc" } }).jpeg().toBuffer();
    expect(await codeOf(loadInputImage(photo, { maxPixels: 50_000 }))).toBe("INPUT_TOO_LARGE");
  });

  it("refuses a truncated JPEG as corrupt", async () => {
    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#c33" } })
      .composite([{ input: Buffer.from('<svg width="400" height="300"><circle cx="200" cy="150" r="90" fill="#36c"/></svg>') }])
      .jpeg()
      .toBuffer();
    expect(await codeOf(loadInputImage(photo.subarray(0, Math.floor(photo.length / 2))))).toBe("INPUT_CORRUPT");
  });

  it("applies the EXIF orientation so a portrait phone photo comes out upright", async () => {
    // Stored landscape 300x200 with orientation 6 (rotate 90° clockwise to display).
    const stored = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#4a4" } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const loaded = await loadInputImage(stored);
    expect(loaded).toMatchObject({ width: 200, height: 300, format: "jpeg" });
    const meta = await sharp(loaded.data).metadata();
    expect(meta.orientation ?? 1).toBe(1);
  });

  it("keeps transparency as PNG and converts other colour spaces to sRGB", async () => {
    const transparent = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect((await loadInputImage(transparent)).format).toBe("png");
    const cmyk = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } }).toColourspace("cmyk").jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const loaded = await loadInputImage(cmyk);
    expect((await sharp(loaded.data).metadata()).space).toBe("srgb");
  });
});

import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodePhoto, loadInputImage, MAX_INPUT_PIXELS } from "./input";
import { StudioError } from "./errors";

// Made by test/fixtures/photos/make.sh (Debian's heif-enc, HEVC): a blue jar on a warm tabletop.
const HEIC = new URL("../../test/fixtures/photos/product.heic", import.meta.url);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StudioError);
  return (error as StudioError).code;
}

describe("loadInputImage", () => {
  it("refuses bytes that are not an image with a message for the merchant", async () => {
    const error = await loadInputImage(Buffer.from("just some text, not a photo")).catch((e: StudioError) => e);
    expect(error).toMatchObject({ code: "INPUT_NOT_IMAGE", transient: false });
    expect((error as StudioError).merchantMessage).toMatch(/JPEG, PNG, WebP or HEIC/);
  });

  it("refuses a decompression bomb from its header, without decoding it", async () => {
    // 8000x6000 of one colour compresses to a few KB but would decode to 144 MB.
    const bomb = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    const started = Date.now();
    expect(await codeOf(loadInputImage(bomb))).toBe("INPUT_TOO_LARGE");
    expect(Date.now() - started).toBeLessThan(500);
    expect(MAX_INPUT_PIXELS).toBe(40_000_000);
  });

  it("honours a lower pixel limit given by the caller", async () => {
    const photo = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#abc" } })
      .jpeg()
      .toBuffer();
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
    const transparent = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    expect((await loadInputImage(transparent)).format).toBe("png");
    const cmyk = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } })
      .toColourspace("cmyk")
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const loaded = await loadInputImage(cmyk);
    expect((await sharp(loaded.data).metadata()).space).toBe("srgb");
  });
});

describe("phone and odd photos", () => {
  const pixelAt = (image: { data: Buffer; width: number; channels: number }, x: number, y: number) => [
    ...image.data.subarray((y * image.width + x) * image.channels, (y * image.width + x) * image.channels + 3),
  ];
  const near = (a: number[], b: number[], tolerance: number) => a.every((v, i) => Math.abs(v - b[i]) <= tolerance);

  it("decodes an iPhone-style HEIC (HEVC) photo in-process, which the bundled libvips refuses", async () => {
    const heic = await readFile(HEIC);
    expect((await sharp(heic).metadata()).compression).toBe("hevc");
    await expect(sharp(heic).raw().toBuffer()).rejects.toThrow();

    const decoded = await decodePhoto(heic, 4096);
    expect(decoded.source).toEqual({ width: 640, height: 480, format: "heif" });
    // The jar's blue in the middle, the tabletop's tan in a corner (HEVC at q80: within a few levels).
    expect(near(pixelAt(decoded.image, 320, 200), [0x2a, 0x5d, 0xb0], 12)).toBe(true);
    expect(near(pixelAt(decoded.image, 20, 20), [0xc9, 0xa5, 0x7a], 12)).toBe(true);
    // Stored uploads become JPEG that every later step (and every provider) reads.
    const stored = await loadInputImage(heic);
    expect(stored).toMatchObject({ format: "jpeg", width: 640, height: 480 });
  });

  it("converts a Display P3 photo to sRGB instead of reading its numbers as sRGB", async () => {
    const orange = { r: 230, g: 120, b: 40 };
    const p3 = await sharp({ create: { width: 64, height: 64, channels: 3, background: orange } })
      .withIccProfile("p3")
      .png()
      .toBuffer();
    const stored = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
    // The file's own numbers are P3 numbers, clearly not the sRGB ones...
    expect(near([...stored.subarray(0, 3)], [orange.r, orange.g, orange.b], 6)).toBe(false);
    // ...and decoding converts them back.
    const decoded = await decodePhoto(p3, 4096);
    expect(near(pixelAt(decoded.image, 10, 10), [orange.r, orange.g, orange.b], 3)).toBe(true);
  });

  it("reads CMYK JPEG and 16-bit PNG as 8-bit sRGB with the right colours", async () => {
    // A colour well inside the CMYK gamut, so the round trip through print colours keeps it.
    const blue = { r: 120, g: 140, b: 160 };
    const cmyk = await sharp({ create: { width: 64, height: 64, channels: 3, background: blue } })
      .toColourspace("cmyk")
      .jpeg({ quality: 95 })
      .toBuffer();
    const deep = await sharp({ create: { width: 64, height: 64, channels: 3, background: blue } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe("ushort");
    for (const file of [cmyk, deep]) {
      const decoded = await decodePhoto(file, 4096);
      expect(decoded.image.channels).toBe(3);
      expect(near(pixelAt(decoded.image, 10, 10), [blue.r, blue.g, blue.b], 6)).toBe(true);
    }
  });

  it("keeps a transparent PNG's own alpha as the product's outline and flattens its colour onto white", async () => {
    const cutOut = await sharp(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle cx="100" cy="100" r="60" fill="#a33"/></svg>'),
    )
      .png()
      .toBuffer();
    const decoded = await decodePhoto(cutOut, 4096);
    expect(decoded.alpha).not.toBeNull();
    expect(decoded.alpha![100 * 200 + 100]).toBe(255);
    expect(decoded.alpha![5 * 200 + 5]).toBe(0);
    expect(pixelAt(decoded.image, 5, 5)).toEqual([255, 255, 255]);
    expect(decoded.notes).toContain("the photo's own transparency was used as the product's outline");
    // An opaque PNG with an alpha channel is no cut-out.
    const opaque = await sharp({ create: { width: 50, height: 50, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } })
      .png()
      .toBuffer();
    expect((await decodePhoto(opaque, 4096)).alpha).toBeNull();
  });

  it("uses the first frame of an animated GIF and says so", async () => {
    const frames = Buffer.concat([Buffer.alloc(40 * 40 * 3, 200), Buffer.alloc(40 * 40 * 3, 40)]);
    const gif = await sharp(frames, { raw: { width: 40, height: 80, channels: 3, pageHeight: 40 } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const decoded = await decodePhoto(gif, 4096);
    expect(decoded.source).toMatchObject({ width: 40, height: 40, format: "gif" });
    expect(pixelAt(decoded.image, 20, 20)[0]).toBeGreaterThan(150);
    expect(decoded.notes).toContain("animated GIF: the first of its 2 frames was used");
  });

  it.each([
    ["PDF", Buffer.from("%PDF-1.7\n1 0 obj")],
    ["SVG", Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
    ["Photoshop (PSD)", Buffer.concat([Buffer.from("8BPS"), Buffer.alloc(40)])],
    ["camera RAW", Buffer.concat([Buffer.from("II*\0\x10\0\0\0CR", "latin1"), Buffer.alloc(40)])],
  ])("refuses a %s file with a message that names it and says what to upload instead", async (name, bytes) => {
    const error = (await loadInputImage(bytes).catch((e: unknown) => e)) as StudioError;
    expect(error).toBeInstanceOf(StudioError);
    expect(error.code).toBe("INPUT_UNSUPPORTED_FORMAT");
    expect(error.merchantMessage).toBe(
      `${name} files can't be used as product photos. Save the photo as JPEG, PNG, WebP or HEIC and upload it again.`,
    );
  });

  it("refuses a BMP, which the bundled decoder cannot read, by name", async () => {
    const bmp = Buffer.alloc(70);
    bmp.write("BM", 0, "latin1");
    bmp.writeUInt32LE(70, 2);
    const error = (await decodePhoto(bmp, 4096).catch((e: unknown) => e)) as StudioError;
    expect(error).toMatchObject({ code: "INPUT_UNSUPPORTED_FORMAT" });
    expect(error.merchantMessage).toMatch(/^BMP files/);
  });
});

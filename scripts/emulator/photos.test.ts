import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { DEMO_PRODUCTS } from "./demo-store";
import { ensureDemoPhotos, PHOTO_SPECS, renderPhoto } from "./photos";

describe("demo photos", () => {
  it("gives every demo product one to three phone-sized JPEGs", async () => {
    const photos = await ensureDemoPhotos();
    expect(DEMO_PRODUCTS.length).toBeGreaterThanOrEqual(8);
    for (const product of DEMO_PRODUCTS) {
      expect(product.photos.length).toBeGreaterThanOrEqual(1);
      expect(product.photos.length).toBeLessThanOrEqual(3);
      for (const { key } of product.photos) {
        const photo = photos.get(key)!;
        const meta = await sharp(photo.path).metadata();
        expect(meta.format).toBe("jpeg");
        expect([meta.width, meta.height].sort()).toEqual([1200, 1600]);
      }
    }
  });

  it("stores the sideways photo with EXIF orientation 6, upright once rotated", async () => {
    const photos = await ensureDemoPhotos();
    const sideways = PHOTO_SPECS.find((spec) => spec.sideways)!;
    const photo = photos.get(sideways.key)!;
    const meta = await sharp(photo.path).metadata();
    expect(meta).toMatchObject({ orientation: 6, width: 1600, height: 1200 });
    const upright = await sharp(photo.path).rotate().toBuffer({ resolveWithObject: true });
    expect({ width: upright.info.width, height: upright.info.height }).toEqual({ width: photo.width, height: photo.height });
  });

  it("draws the object distinct from its background: the candle's label differs from the table", async () => {
    const spec = PHOTO_SPECS.find((s) => s.key === "candle-wood")!;
    const bytes = await renderPhoto(spec);
    const { width, height } = await sharp(bytes).metadata();
    const meanOf = async (region: sharp.Region) => (await sharp(await sharp(bytes).extract(region).toBuffer()).stats()).channels;
    const corner = await meanOf({ left: 0, top: height - 200, width: 200, height: 200 });
    // The label sits 100-230 units above the jar's base; the drawing is scaled by scale × short side / 1000.
    const scale = (spec.scale * Math.min(width, height)) / 1000;
    const object = await meanOf({
      left: Math.round(width * spec.x) - 60,
      top: Math.round(height * spec.y - 200 * scale),
      width: 120,
      height: 60,
    });
    const distance = corner.reduce((sum, c, i) => sum + Math.abs(c.mean - object[i].mean), 0);
    expect(distance).toBeGreaterThan(60);
  });

  it("draws the same photo twice byte for byte", async () => {
    const spec = PHOTO_SPECS[0];
    expect((await renderPhoto(spec)).equals(await renderPhoto(spec))).toBe(true);
  });
});

import { cutOutProduct, type Cutout } from "./cutout";
import type { RawImage } from "./image";
import { segmentProduct } from "./segment";
import { decodeWorkingImage } from "./working";

export interface PreparedProduct {
  image: RawImage;
  cutout: Cutout;
}

/**
 * Decodes a normalised photo and cuts the product out of it (the slow step: one model run).
 * `outputSize` bounds the working resolution: every per-pixel step after the model scales with it.
 */
export async function prepareProduct(photo: Buffer, outputSize = 4096): Promise<PreparedProduct> {
  const image = await decodeWorkingImage(photo, Math.ceil(outputSize * 1.25));
  const mask = await segmentProduct(image);
  return { image, cutout: await cutOutProduct(image, mask) };
}

import sharp from "sharp";
import type { RawImage } from "./image";

// Enough pixels for a 4096 px output; bigger photos only slow every step down.
const WORKING_SIDE = 4096;

/** Decodes a normalised photo (transparency flattened onto white) to RGB pixels no larger than the working size. */
export async function decodeWorkingImage(photo: Buffer, maxSide = WORKING_SIDE): Promise<RawImage> {
  const { data, info } = await sharp(photo)
    .resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true })
    .flatten({ background: "#ffffff" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

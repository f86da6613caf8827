import sharp from "sharp";
import { cutOutProduct, type Cutout } from "./cutout";
import { decodePhoto } from "./input";
import { MODEL_SIDE, segmentProduct, type ModelMask } from "./segment";
import { chooseSubject } from "./subject";
import type { ProductContext } from "./types";

export interface PreparedProduct {
  cutout: Cutout;
  keptObjects: number;
  droppedObjects: number;
  subjectUnclear: boolean;
  source: { width: number; height: number; format: string };
  /** The product's longer side in the source photo, px. */
  productSourcePx: number;
  notes: string[];
}

// The working image: enough pixels for the output with a margin, no more (every per-pixel step
// after decoding scales with it).
const WORKING_MARGIN = 1.25;

/**
 * Decodes a photo once, at working size, finds the objects in it (the segmentation model, or the
 * photo's own transparency), chooses the product among them and cuts it out: the slow step, one model run.
 */
export async function prepareProduct(
  photo: Buffer,
  outputSize: number,
  product?: ProductContext,
  labels: string[] = [],
): Promise<PreparedProduct> {
  const decoded = await decodePhoto(photo, Math.ceil(outputSize * WORKING_MARGIN));
  const { image, alpha, source } = decoded;
  const mask = alpha ? await maskFromAlpha(alpha, image.width, image.height) : await segmentProduct(image);
  const choice = chooseSubject(mask, product, labels);
  const cutout = cutOutProduct(image, choice, alpha);
  const toSource = source.width / image.width;
  return {
    cutout,
    keptObjects: choice.keptObjects,
    droppedObjects: choice.droppedObjects,
    subjectUnclear: choice.unclear,
    source,
    productSourcePx: Math.round(Math.max(cutout.box.width, cutout.box.height) * toSource),
    notes: [...decoded.notes, ...choice.notes],
  };
}

async function maskFromAlpha(alpha: Buffer, width: number, height: number): Promise<ModelMask> {
  const data = await sharp(alpha, { raw: { width, height, channels: 1 } })
    .resize(MODEL_SIDE, MODEL_SIDE, { fit: "fill" })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: MODEL_SIDE, height: MODEL_SIDE };
}

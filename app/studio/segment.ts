import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { removeBackground } from "@imgly/background-removal-node";
import sharp from "sharp";
import type { RawImage } from "./image";

// ISNet always sees a 1024x1024 square; feeding it that size directly skips the library's slow
// JavaScript resizing of full-resolution photos (seconds on a 12 MP photo).
const MODEL_SIDE = 1024;
const require = createRequire(import.meta.url);
const modelDir = path.dirname(require.resolve("@imgly/background-removal-node"));

// The library memoises its ONNX session per identical config object contents, so one config per
// process means the model is loaded once and reused.
const config = {
  publicPath: `${pathToFileURL(modelDir).href}/`,
  model: (process.env.STUDIO_SEGMENTATION_MODEL === "small" ? "small" : "medium") as "small" | "medium",
  output: { format: "image/x-rgba8" as const },
};

// onnxruntime already uses both cores; running two inferences at once only doubles memory.
let queue: Promise<unknown> = Promise.resolve();

/** Returns the product's soft alpha mask (one byte per pixel) at the image's size. */
export async function segmentProduct(image: RawImage): Promise<Buffer> {
  const square = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 3 | 4 } })
    .resize(MODEL_SIDE, MODEL_SIDE, { fit: "fill" })
    .removeAlpha()
    .ensureAlpha()
    .raw()
    .toBuffer();
  const run = queue.then(() =>
    removeBackground(new Blob([new Uint8Array(square)], { type: `image/x-rgba8;width=${MODEL_SIDE};height=${MODEL_SIDE}` }), config),
  );
  queue = run.catch(() => undefined);
  const rgba = Buffer.from(await (await run).arrayBuffer());
  return sharp(rgba, { raw: { width: MODEL_SIDE, height: MODEL_SIDE, channels: 4 } })
    .extractChannel(3)
    .resize(image.width, image.height, { fit: "fill" })
    .raw()
    .toBuffer();
}

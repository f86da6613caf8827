import { registerHooks } from "node:module";

// Loaded with `--import` into the chaos harness's workers only: the segmentation model's runtime becomes the
// stand-in in fast-segmentation.ts. Everything else in the worker is the app's own code.
const standIn = new URL("./fast-segmentation.ts", import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "onnxruntime-node") return { url: standIn, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});

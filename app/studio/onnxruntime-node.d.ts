// onnxruntime-node 1.17.3 is published without its index.d.ts; its API is onnxruntime-common's.
declare module "onnxruntime-node" {
  export * from "onnxruntime-common";
}

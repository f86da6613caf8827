/**
 * A stand-in for onnxruntime-node running the ISNet model, for the chaos harness's workers
 * (segmentation-hook.ts). The real model takes about 2 s per image on two busy cores, and every
 * generative job runs it twice; the chaos scenarios are about queues, crashes and Shopify writes, not
 * cut-outs, so their workers get this deterministic one instead: a pixel is background when its colour
 * is close to one of the four border strips' median colours. It takes the same input as
 * app/studio/segment.ts gives the model (planar RGB, (value - 128) / 256, 1024x1024) and answers the
 * same output (one soft-mask plane, 1 = product).
 */
const STRIP = 16;
const THRESHOLD = 48;

export class Tensor {
  constructor(
    readonly type: string,
    readonly data: Float32Array,
    readonly dims: number[],
  ) {}
}

export const InferenceSession = {
  async create(_model: unknown, _options?: unknown) {
    return {
      async run(feeds: Record<string, Tensor>) {
        const input = feeds.input;
        const [, , height, width] = input.dims as [number, number, number, number];
        const plane = width * height;
        const rgb = (i: number, c: number) => input.data[i + c * plane] * 256 + 128;
        const backgrounds = [
          median(rgb, width, 0, width, 0, STRIP),
          median(rgb, width, 0, width, height - STRIP, height),
          median(rgb, width, 0, STRIP, 0, height),
          median(rgb, width, width - STRIP, width, 0, height),
        ];
        const mask = new Float32Array(plane);
        for (let i = 0; i < plane; i++) {
          const near = backgrounds.some(
            ([r, g, b]) => Math.abs(rgb(i, 0) - r) + Math.abs(rgb(i, 1) - g) + Math.abs(rgb(i, 2) - b) < THRESHOLD,
          );
          mask[i] = near ? 0 : 1;
        }
        return { output: new Tensor("float32", mask, [1, 1, height, width]) };
      },
    };
  },
};

function median(
  rgb: (i: number, c: number) => number,
  width: number,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): [number, number, number] {
  const channels: number[][] = [[], [], []];
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      for (let c = 0; c < 3; c++) channels[c].push(rgb(y * width + x, c));
    }
  }
  return channels.map((values) => values.sort((a, b) => a - b)[values.length >> 1]) as [number, number, number];
}

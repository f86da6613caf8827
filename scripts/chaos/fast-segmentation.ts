/**
 * A stand-in for @imgly/background-removal-node's `removeBackground`, for the chaos harness's workers
 * (segmentation-hook.ts). The real model takes 2–6 s per image on two busy cores, and every generative
 * job runs it twice; the chaos scenarios are about queues, crashes and Shopify writes, not cut-outs, so
 * their workers get this deterministic one instead: a pixel is background when its colour is close to
 * one of the four border strips' median colours. Same signature and output format (RGBA, the mask in
 * alpha) as the library, as app/studio/segment.ts calls it.
 */
const STRIP = 16;
const THRESHOLD = 48;

export async function removeBackground(input: Blob, _config?: unknown): Promise<Blob> {
  const size = /width=(\d+);height=(\d+)/.exec(input.type);
  if (!size) throw new Error(`fast-segmentation: expected raw RGBA input, got ${input.type}`);
  const width = Number(size[1]);
  const height = Number(size[2]);
  const rgba = new Uint8Array(await input.arrayBuffer());
  const backgrounds = [
    median(rgba, width, 0, width, 0, STRIP),
    median(rgba, width, 0, width, height - STRIP, height),
    median(rgba, width, 0, STRIP, 0, height),
    median(rgba, width, width - STRIP, width, 0, height),
  ];
  const out = new Uint8Array(rgba);
  for (let i = 0; i < width * height; i++) {
    const r = rgba[i * 4];
    const g = rgba[i * 4 + 1];
    const b = rgba[i * 4 + 2];
    const near = backgrounds.some(([br, bg, bb]) => Math.abs(r - br) + Math.abs(g - bg) + Math.abs(b - bb) < THRESHOLD);
    out[i * 4 + 3] = near ? 0 : 255;
  }
  return new Blob([out], { type: input.type });
}

function median(rgba: Uint8Array, width: number, x0: number, x1: number, y0: number, y1: number): [number, number, number] {
  const channels: number[][] = [[], [], []];
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) channels[c].push(rgba[i + c]);
    }
  }
  return channels.map((values) => values.sort((a, b) => a - b)[values.length >> 1]) as [number, number, number];
}

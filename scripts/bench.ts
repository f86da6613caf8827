// Times the local pipeline on 12-megapixel photos: npx tsx scripts/bench.ts [RUNS]
// The whole-job rows repeat one job, so after the first run its lifestyle backdrops come from the cache.
import sharp from "sharp";
import { generate, lifestyleOptionsSchema, whiteOptionsSchema } from "../app/studio/index";
import { composeLifestyle } from "../app/studio/lifestyle";
import { prepareProduct } from "../app/studio/product";
import { readStyle } from "../app/studio/style";
import { composeWhite } from "../app/studio/white";
import { cutOutProduct } from "../app/studio/cutout";
import { segmentProduct } from "../app/studio/segment";
import { loadInputImage } from "../app/studio/input";
import { makeProductPhoto } from "../test/fakes/product-photo";

const runs = Number(process.argv[2] ?? 3);
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function time(label: string, run: () => Promise<unknown>): Promise<{ label: string; ms: number[] }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  return { label, ms };
}

// 4000x3000 = 12 MP, encoded like a phone photo.
const photo = await sharp(await makeProductPhoto({ width: 4000, height: 3000 })).jpeg({ quality: 90 }).toBuffer();
const white = whiteOptionsSchema.parse({});
const lifestyle = lifestyleOptionsSchema.parse({ preset: "marble-luxury", count: 3 });
const warm = await prepareProduct((await loadInputImage(photo)).data, 2048);
const warmMask = await segmentProduct(warm.image);
// Each run a size never seen before, so the backdrop cache cannot answer.
let freshSize = 2048;

const rows = [
  await time("warm-up (model load + white)", () => generate({ mode: "white", options: white, photos: [photo], product: { title: "Jam" }, provider: "local" }, {})),
  await time("white 2048 (whole job)", () => generate({ mode: "white", options: white, photos: [photo], product: { title: "Jam" }, provider: "local" }, {})),
  await time("lifestyle x3 2048 (whole job)", () => generate({ mode: "lifestyle", options: lifestyle, photos: [photo], product: { title: "Jam" }, provider: "local" }, {})),
  await time("  load + segment only", async () => prepareProduct((await loadInputImage(photo)).data, 2048)),
  await time("  post-processing: white compose+encode", () => composeWhite(warm.cutout, white)),
  await time("  cut-out with edge refinement", () => cutOutProduct(warm.image, warmMask)),
  await time("  post-processing: one lifestyle image, new backdrop", () => composeLifestyle(warm.cutout, { ...lifestyle, size: --freshSize }, "in-scene", readStyle(""))),
  await time("  post-processing: one lifestyle image, cached backdrop", () => composeLifestyle(warm.cutout, lifestyle, "in-scene", readStyle(""))),
];
clearInterval(sampler);
console.log(`12 MP input, ${runs} runs each, ${(await import("node:os")).cpus().length} CPUs\n`);
console.log("step".padEnd(58) + "median s".padStart(10) + "min s".padStart(8));
for (const { label, ms } of rows) {
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(label.padEnd(58) + (sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(2).padStart(10) + (sorted[0]! / 1000).toFixed(2).padStart(8));
}
console.log(`\npeak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);

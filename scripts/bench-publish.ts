/**
 * How long publishing takes under Shopify's cost limits: N jobs of one image each, run by C concurrent
 * workers, each with its own Redis connection (as separate processes would be), all paced by the one
 * Redis-backed limiter, against the Admin API emulator at a Standard plan's 100 points/s.
 *
 *   npx tsx scripts/bench-publish.ts [--jobs 100] [--concurrency 4] [--restore 100] [--bucket 2000] [--processing-ms 300] [--poll-ms 500]
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import sharp from "sharp";
import { createAdminApi } from "../app/shopify/admin-api.server.ts";
import { pacerKeys } from "../app/shopify/throttle.server.ts";
import { publishImages } from "../app/shopify/publish.server.ts";
import { startEmulator } from "./emulator/index.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "100" },
    concurrency: { type: "string", default: "4" },
    restore: { type: "string", default: "100" },
    bucket: { type: "string", default: "2000" },
    "processing-ms": { type: "string", default: "300" },
    "poll-ms": { type: "string", default: "500" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);

const emu = await startEmulator({
  restoreRate: Number(values.restore),
  bucketSize: Number(values.bucket),
  mediaProcessingMs: Number(values["processing-ms"]),
});
process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
const shop = `bench-${Date.now()}.myshopify.com`;
emu.addShop(shop, { seed: true });
const token = emu.issueToken(shop);
const products = [...emu.state.shops.get(shop)!.products.values()];
const image = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: "#ffffff" } })
  .jpeg()
  .toBuffer();

const pacingPrefix = `bench-publish-${process.pid}`;
const connections = Array.from({ length: concurrency }, () => new Redis(values.redis, { maxRetriesPerRequest: 2 }));
const apis = connections.map((redis) =>
  createAdminApi({ shop, accessToken: token, pacing: { redis, prefix: pacingPrefix }, log: { warn: () => {} } }),
);

let next = 0;
let failed = 0;
const started = Date.now();
await Promise.all(
  apis.map(async (api) => {
    for (let job = next++; job < jobs; job = next++) {
      const product = products[job % products.length];
      const { results } = await publishImages(api, {
        productId: product.id,
        images: [{ key: `bench${String(job).padStart(6, "0")}`, data: image, name: "bench", mimeType: "image/jpeg", alt: "Bench image" }],
        position: "append",
        search: false,
        pollIntervalMs: Number(values["poll-ms"]),
      });
      if (results[0].status !== "READY") failed++;
    }
  }),
);
const seconds = (Date.now() - started) / 1000;

const log = emu.state.log.filter((entry) => entry.shop === shop);
const byOperation: Record<string, number> = {};
for (const entry of log) byOperation[entry.operationName ?? "?"] = (byOperation[entry.operationName ?? "?"] ?? 0) + 1;
const figures = {
  jobs,
  concurrency,
  restoreRate: Number(values.restore),
  bucketSize: Number(values.bucket),
  mediaProcessingMs: Number(values["processing-ms"]),
  seconds: Number(seconds.toFixed(2)),
  jobsPerSecond: Number((jobs / seconds).toFixed(2)),
  calls: log.length,
  callsPerJob: Number((log.length / jobs).toFixed(2)),
  throttledAnswers: log.filter((e) => e.throttled).length,
  requestedCostPoints: log.reduce((sum, e) => sum + (e.requestedQueryCost ?? 0), 0),
  actualCostPoints: log.reduce((sum, e) => sum + (e.actualQueryCost ?? 0), 0),
  failed,
  byOperation,
};
console.log(JSON.stringify(figures, null, 2));

await Promise.all(connections.map((c) => c.del(...pacerKeys(pacingPrefix, shop))));
await Promise.all(connections.map((c) => c.quit()));
await emu.close();

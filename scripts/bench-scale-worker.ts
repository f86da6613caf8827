/**
 * One worker process of `npm run bench:scale`: a BullMQ worker on the bench's queue that runs the paid
 * part of a generate job, one request through the app's provider gate (the limits shared in Redis) and
 * the real Gemini SDK, against the bench's rate-limited Gemini fake. The image pipeline around it is
 * `npm run bench`'s subject, not this one's. Each job returns how long the provider itself took and how
 * long it waited for its turn, so the bench can take both out of enqueue-to-done.
 *
 *   tsx scripts/bench-scale-worker.ts <redis url> <prefix> <gemini url> <rpm> <provider concurrency> <worker concurrency>
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { createRedisGate } from "../app/infra/provider-limits.server.ts";
import { DEFAULT_IMAGE_MODEL } from "../app/studio/models.ts";
import { createGeminiProvider } from "../app/studio/providers/gemini.ts";
import type { ProviderGate } from "../app/studio/providers/types.ts";

const [redisUrl, prefix, geminiUrl, rpm, providerConcurrency, workerConcurrency] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const limit = { rpm: Number(rpm), concurrency: Number(providerConcurrency) };
const gate = createRedisGate({
  redis: new Redis(redisUrl, { maxRetriesPerRequest: 2 }),
  prefix,
  limits: { gemini: limit, vertex: limit, "openai-compatible": limit },
  leaseMs: 30_000,
  log: (message) => console.log(message),
});
const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c08040" } })
  .png()
  .toBuffer();

// One provider for the process, as the app's; each job's own timings through AsyncLocalStorage.
const timings = new AsyncLocalStorage<{ providerMs: number }>();
const timed: ProviderGate = {
  run: (provider, signal, call) =>
    gate.run(provider, signal, async () => {
      const calledAt = performance.now();
      try {
        return await call();
      } finally {
        timings.getStore()!.providerMs += performance.now() - calledAt;
      }
    }),
};
const provider = createGeminiProvider(
  { apiKey: "bench", model: DEFAULT_IMAGE_MODEL, baseUrl: geminiUrl },
  { attempts: 1, baseDelayMs: 1 },
  timed,
);

const worker = new Worker(
  "studio",
  async (job: Job) => {
    const started = performance.now();
    const timing = { providerMs: 0 };
    await timings.run(timing, () => provider.createImage({ prompt: `bench ${job.id}`, photos: [photo], ratio: "1:1", size: 1024 }));
    return { providerMs: timing.providerMs, totalMs: performance.now() - started, worker: process.pid };
  },
  { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: Number(workerConcurrency) },
);
worker.on("ready", () => console.log("ready"));
process.on("SIGTERM", () => {
  worker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

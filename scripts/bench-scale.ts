/**
 * `npm run bench:scale`: the cluster's limits measured against the ideal they allow, each in this one run.
 *
 *  1. Throughput of generate jobs with 1 to N worker processes against a Gemini fake that keeps its own
 *     limit of R requests a minute (and answers 429 over it), as a share of R.
 *  2. Queue overhead per job, enqueue to done minus the provider's own time, p50 and p95, with jobs
 *     arriving at half of R (so no job waits for its turn in the pace).
 *  3. Shop B's wait for its single job while shop A's batch runs, against one job's time in that run;
 *     the jobs are created and queued by the app's own createJobs (a migrated SQLite database).
 *  4. Publishing one-image jobs against the Admin API emulator at its Standard plan's restore rate,
 *     4 workers' Admin clients (each on its own Redis connection) sharing the app's pacer: points spent
 *     as a share of what the rate (and the full bucket at the start) allowed, and throttled answers.
 *  5. The web process's memory (VmRSS) while a page polls shop A's batch, against a one-job page
 *     (needs 3: the same database; the built web app, rebuilt if stale).
 *
 * The worker processes (scripts/bench-scale-worker.ts) run the paid part of a generate job, a request
 * through the app's provider gate and the real Gemini SDK; the image pipeline is `npm run bench`'s.
 *
 *   npm run bench:scale -- [--jobs 500] [--rpm 1200] [--latency-ms 300] [--workers 4] [--overhead-jobs 100]
 *                          [--batch 1000] [--publish-jobs 1000] [--restore 100] [--bucket 2000] [--polls 20] [--only 1,2,3,4,5]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { startLimitedGeminiFake, type LimitedGeminiFake } from "../test/fakes/limited-gemini-fake.ts";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "500" },
    rpm: { type: "string", default: "1200" },
    "latency-ms": { type: "string", default: "300" },
    workers: { type: "string", default: "4" },
    "provider-concurrency": { type: "string", default: "8" },
    "worker-concurrency": { type: "string", default: "8" },
    "overhead-jobs": { type: "string", default: "100" },
    batch: { type: "string", default: "1000" },
    "publish-jobs": { type: "string", default: "1000" },
    "publish-workers": { type: "string", default: "4" },
    restore: { type: "string", default: "100" },
    bucket: { type: "string", default: "2000" },
    only: { type: "string", default: "1,2,3,4,5" },
    polls: { type: "string", default: "20" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});
const JOBS = Number(values.jobs);
const RPM = Number(values.rpm);
const LATENCY_MS = Number(values["latency-ms"]);
const MAX_WORKERS = Number(values.workers);
const PROVIDER_CONCURRENCY = Number(values["provider-concurrency"]);
const WORKER_CONCURRENCY = Number(values["worker-concurrency"]);
const only = new Set(values.only.split(",").map(Number));
const run = randomUUID().slice(0, 8);
const redis = new Redis(values.redis, { maxRetriesPerRequest: null });
const rows: [string, string, string, string][] = [];
const report = (row: [string, string, string, string]) => {
  rows.push(row);
  console.error(`[bench:scale] ${row.join(" | ")}`);
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c08040" } })
  .png()
  .toBuffer();

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const allChildren: ChildProcess[] = [];
// A bench that stops half-way leaves no worker behind.
process.on("exit", () => {
  for (const child of allChildren) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Worker processes on `prefix`, each ready (connected, waiting for jobs). */
async function startWorkers(count: number, prefix: string, fake: LimitedGeminiFake): Promise<ChildProcess[]> {
  const children = Array.from({ length: count }, () =>
    spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/bench-scale-worker.ts",
        values.redis,
        prefix,
        fake.url,
        String(RPM),
        String(PROVIDER_CONCURRENCY),
        String(WORKER_CONCURRENCY),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    ),
  );
  allChildren.push(...children);
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("ready")) resolve();
          });
          child.once("exit", (code) => reject(new Error(`a bench worker exited (${code}) before it was ready`)));
        }),
    ),
  );
  return children;
}

async function stopWorkers(children: ChildProcess[]) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
}

async function cleanUp(queue: Queue, prefix: string) {
  await queue.obliterate({ force: true });
  await queue.close();
  for (const provider of ["gemini", "vertex", "openai-compatible"]) {
    await redis.del(`${prefix}:limits:${provider}:next`, `${prefix}:limits:${provider}:leases`, `${prefix}:limits:${provider}:paused`);
  }
}

async function completed(queue: Queue, ids: string[], timeoutMs = 600_000): Promise<Job[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts("completed", "failed");
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= ids.length) break;
    if (Date.now() > deadline) throw new Error(`jobs not done in time: ${JSON.stringify(counts)}`);
    await sleep(200);
  }
  return (await Promise.all(ids.map((id) => queue.getJob(id)))).filter((job): job is Job => Boolean(job));
}

// 1. Throughput, 1 to N workers.
if (only.has(1)) {
  for (let workers = 1; workers <= MAX_WORKERS; workers++) {
    const prefix = `bench-scale-${run}-t${workers}`;
    const fake = await startLimitedGeminiFake({ rpm: RPM, latencyMs: LATENCY_MS, image });
    const children = await startWorkers(workers, prefix, fake);
    const queue = new Queue("studio", { connection: redis, prefix });
    const added = await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: "generate", data: { i } })));
    const jobs = await completed(
      queue,
      added.map((job) => job.id!),
    );
    const failed = jobs.filter((job) => job.failedReason).length;
    const start = Math.min(...jobs.map((job) => job.timestamp));
    const end = Math.max(...jobs.map((job) => job.finishedOn ?? 0));
    const perMinute = ((JOBS - failed) / (end - start)) * 60_000;
    report([
      `throughput, ${JOBS} generate jobs, ${workers} worker process${workers > 1 ? "es" : ""} × ${WORKER_CONCURRENCY}`,
      `${perMinute.toFixed(0)} jobs/min in ${((end - start) / 1000).toFixed(1)} s; ${fake.refusals.length} × 429, at most ${fake.maxInFlight} at once, ${failed} failed`,
      `R = ${RPM}/min, ${PROVIDER_CONCURRENCY} at once`,
      `${pct(perMinute / RPM)} of R (goal ≥ 95%)`,
    ]);
    await stopWorkers(children);
    await cleanUp(queue, prefix);
    await fake.close();
  }
}

// 2. Queue overhead, jobs arriving at half of R.
if (only.has(2)) {
  const prefix = `bench-scale-${run}-o`;
  const fake = await startLimitedGeminiFake({ rpm: RPM, latencyMs: LATENCY_MS, image });
  const children = await startWorkers(2, prefix, fake);
  const queue = new Queue("studio", { connection: redis, prefix });
  const count = Number(values["overhead-jobs"]);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await queue.add("generate", { i })).id!);
    await sleep((2 * 60_000) / RPM);
  }
  const jobs = await completed(queue, ids);
  const overheads = jobs
    .map((job) => job.finishedOn! - job.timestamp - (job.returnvalue as { providerMs: number }).providerMs)
    .sort((a, b) => a - b);
  const providerMs = jobs.map((job) => (job.returnvalue as { providerMs: number }).providerMs).sort((a, b) => a - b);
  report([
    `queue overhead per job (enqueue → done − provider time), ${count} jobs at R/2, 2 workers`,
    `p50 ${quantile(overheads, 0.5).toFixed(0)} ms, p95 ${quantile(overheads, 0.95).toFixed(0)} ms, max ${overheads.at(-1)!.toFixed(0)} ms`,
    `provider time p50 ${quantile(providerMs, 0.5).toFixed(0)} ms (fake latency ${LATENCY_MS} ms)`,
    `p95 ${quantile(overheads, 0.95) <= 100 ? "≤" : ">"} 100 ms goal`,
  ]);
  await stopWorkers(children);
  await cleanUp(queue, prefix);
  await fake.close();
}

// 3. Fairness: shop A's batch, then shop B's single job, created and queued by the app.
if (only.has(3)) {
  const prefix = `bench-scale-${run}-f`;
  const { createTestDatabase } = await import("../test/db.ts");
  const database = await createTestDatabase("sqlite");
  Object.assign(process.env, { NODE_ENV: "test", DATABASE_URL: database.url, QUEUE_PREFIX: prefix, REDIS_URL: values.redis });
  const { createJobs } = await import("../app/models/jobs.server.ts");
  const { prisma } = await import("../app/infra/db.server.ts");
  const { closeQueue } = await import("../app/infra/queue.server.ts");
  const SHOP_A = "bench-a.myshopify.com";
  const SHOP_B = "bench-b.myshopify.com";
  const batch = Number(values.batch);
  for (const shop of [SHOP_A, SHOP_B]) await prisma.shopSettings.create({ data: { shop, monthlyCap: 1_000_000 } });
  const input = (n: number) => ({
    productId: `gid://shopify/Product/${n}`,
    productTitle: `Product ${n}`,
    mode: "white" as const,
    options: { size: 1024, format: "jpeg" },
    provider: "gemini",
    sources: [{ origin: "product" as const, url: `https://cdn.shopify.com/${n}.jpg` }],
  });
  const fake = await startLimitedGeminiFake({ rpm: RPM, latencyMs: LATENCY_MS, image });
  const children = await startWorkers(2, prefix, fake);
  const queue = new Queue("studio", { connection: redis, prefix });
  const createdAt = Date.now();
  await createJobs(
    SHOP_A,
    Array.from({ length: batch }, (_, i) => input(i)),
    { mode: "white", options: {} },
  );
  const createMs = Date.now() - createdAt;
  // A's batch is well under way (the workers' slots all busy) when B asks for one image.
  while (((await queue.getJobCounts("completed")).completed ?? 0) < Math.min(50, batch / 4)) await sleep(100);
  const {
    jobs: [single],
  } = await createJobs(SHOP_B, [input(100_000)]);
  const entryId = `generate-${single.id}-0`;
  let entry: Job | undefined;
  while (!(entry = await queue.getJob(entryId))?.finishedOn) await sleep(50);
  const waitMs = entry.processedOn! - entry.timestamp;
  const doneOfA = (await queue.getJobs(["completed"], 0, -1)).filter((job) => job.id !== entryId && job.processedOn && job.finishedOn);
  const jobTimes = doneOfA.map((job) => job.finishedOn! - job.processedOn!).sort((a, b) => a - b);
  const jobTime = quantile(jobTimes, 0.5);
  const waiting = (await queue.getJobCounts("prioritized", "waiting")) as Record<string, number>;
  report([
    `shop B's single job while shop A's ${batch}-product batch runs (2 workers × ${WORKER_CONCURRENCY})`,
    `B started ${waitMs} ms after it was queued, with ${(waiting.prioritized ?? 0) + (waiting.waiting ?? 0)} of A's jobs still waiting`,
    `one job's time in this run: median ${jobTime} ms (A's batch created and queued in ${createMs} ms)`,
    `${(waitMs / jobTime).toFixed(2)} × one job's time (goal ≤ 1)`,
  ]);
  await stopWorkers(children);
  await cleanUp(queue, prefix);
  await fake.close();

  // 5. The web process's memory while a page polls shop A's batch (its jobs all unfinished, as the
  // bench's workers never touched their rows), against the same polls of shop B's one-job page.
  if (only.has(5)) {
    const { startStack } = await import("./demo-stack.ts");
    const { ShopClient } = await import("./chaos/client.ts");
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { freePort } = await import("../test/worker/harness.ts");
    const dir = mkdtempSync(path.join(tmpdir(), "bench-scale-web-"));
    const webLog: string[] = [];
    const stack = await startStack({
      port: await freePort(),
      storageDir: dir,
      queuePrefix: `${prefix}-web`,
      databaseUrl: database.url,
      workers: 0,
      output: (name, text) => webLog.push(`[${name}] ${text}`),
      env: { REDIS_URL: values.redis },
    });
    const web = stack.processes.find((p) => p.name === "web")!.child;
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${web.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
    const batchRow = await prisma.batch.findFirstOrThrow({ where: { shop: SHOP_A } });
    const polls = Number(values.polls);
    const measure = async (client: InstanceType<typeof ShopClient>, pathname: string, routeId: string) => {
      let peak = rss();
      let bytes = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
      for (let i = 0; i < polls; i++) {
        const answer = await client.load(pathname, routeId);
        if (answer.status !== 200) {
          console.error(webLog.join("").slice(-2000));
          throw new Error(`${pathname} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        }
        bytes = answer.text.length;
        await sleep(1000);
      }
      clearInterval(sampler);
      return { peak: Math.max(peak, rss()), bytes };
    };
    const clients = [SHOP_A, SHOP_B].map((shop) => {
      stack.emulator.addShop(shop);
      return new ShopClient(stack.appUrl, shop, stack.apiSecret);
    });
    for (const client of clients) await client.load("/app", "routes/app._index");
    const idle = rss();
    const one = await measure(clients[1], `/app/jobs/${single.id}`, "routes/app.jobs.$id");
    const many = await measure(clients[0], `/app/batches/${batchRow.id}`, "routes/app.batches.$id");
    report([
      `web process memory while a ${batch}-job batch page is polled (${polls} polls, 1 s apart)`,
      `VmRSS peak ${many.peak.toFixed(0)} MiB (idle ${idle.toFixed(0)} MiB), ${(many.bytes / 1024).toFixed(0)} KiB per poll`,
      `the same polls of a one-job page: peak ${one.peak.toFixed(0)} MiB, ${(one.bytes / 1024).toFixed(1)} KiB per poll`,
      `+${(many.peak - one.peak).toFixed(0)} MiB (${(many.peak / one.peak).toFixed(2)}×)`,
    ]);
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  await closeQueue();
  await prisma.$disconnect();
  await database.drop();
}

// 4. Publishing against the emulator's Standard plan limits, the app's shared pacer.
if (only.has(4)) {
  const { createAdminApi } = await import("../app/shopify/admin-api.server.ts");
  const { publishImages } = await import("../app/shopify/publish.server.ts");
  const { startEmulator } = await import("./emulator/index.ts");
  const restoreRate = Number(values.restore);
  const bucketSize = Number(values.bucket);
  const count = Number(values["publish-jobs"]);
  const emu = await startEmulator({ restoreRate, bucketSize, mediaProcessingMs: 300 });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
  const shop = `bench-scale-${run}.myshopify.com`;
  emu.addShop(shop, { seed: true });
  const token = emu.issueToken(shop);
  const products = [...emu.state.shops.get(shop)!.products.values()];
  const jpeg = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: "#ffffff" } })
    .jpeg()
    .toBuffer();
  const pacingPrefix = `bench-scale-${run}`;
  const { pacerKeys } = await import("../app/shopify/throttle.server.ts");
  const connections = Array.from({ length: Number(values["publish-workers"]) }, () => new Redis(values.redis, { maxRetriesPerRequest: 2 }));
  const apis = connections.map((connection) =>
    createAdminApi({ shop, accessToken: token, pacing: { redis: connection, prefix: pacingPrefix }, log: { warn: () => {} } }),
  );
  let next = 0;
  let failed = 0;
  const started = Date.now();
  await Promise.all(
    apis.map(async (api) => {
      for (let job = next++; job < count; job = next++) {
        const product = products[job % products.length];
        const { results } = await publishImages(api, {
          productId: product.id,
          images: [{ key: `bench${String(job).padStart(6, "0")}`, data: jpeg, name: "bench", mimeType: "image/jpeg", alt: "Bench image" }],
          position: "append",
          search: false,
          pollIntervalMs: 500,
        });
        if (results[0].status !== "READY") failed++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const log = emu.state.log.filter((entry) => entry.shop === shop);
  const spent = log.reduce((sum, entry) => sum + (entry.actualQueryCost ?? 0), 0);
  const allowed = bucketSize + restoreRate * seconds;
  report([
    `publishing ${count} one-image jobs, ${apis.length} workers' Admin clients sharing the pacer`,
    `${seconds.toFixed(1)} s, ${log.length} calls, ${spent} points spent (${(spent / seconds).toFixed(1)}/s), ${log.filter((e) => e.throttled).length} throttled answers, ${failed} failed`,
    `${restoreRate} points/s restore + ${bucketSize} bucket: ${allowed.toFixed(0)} points allowed`,
    `${pct(spent / allowed)} of the points allowed (goal ≥ 90%, 0 throttled)`,
  ]);
  await Promise.all(connections.map((c) => c.del(...pacerKeys(pacingPrefix, shop))));
  await Promise.all(connections.map((c) => c.quit()));
  await emu.close();
}

console.log("\n| Measured | Figure | Ideal the limits allow | Ratio |\n| --- | --- | --- | --- |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
redis.disconnect();
process.exit(0);

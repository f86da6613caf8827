import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPrismaClient, type Db } from "~/infra/prisma-client.server";
import { startStack, type Stack } from "../../scripts/demo-stack.ts";
import { seedShop } from "../../scripts/emulator/demo-store.ts";
import { ShopClient, pagePolls, type JobPage } from "../../scripts/chaos/client.ts";
import { QUEUE_NAME, smallDemoPhotos } from "../../scripts/chaos/stack.ts";
import { freePort, waitUntil } from "../../scripts/chaos/util.ts";
import { startGeminiModelFake, type GeminiModelFake } from "../fakes/gemini-fake";
import { createEmptyDatabase } from "../db";
import { startS3Server, type S3Server } from "../s3-server";

// Issue 11's proof that the app runs on many machines: 2 web processes and 3 workers, each in a working
// directory of its own with its own temp folder (no disk in common), sharing only what machines share:
// PostgreSQL, one Redis (under this run's QUEUE_PREFIX) and S3 storage (the loopback S3 server). The
// paid provider is the Gemini fake, slow and rate-limited like the API, reached by the real SDK. A
// 50-product bulk action goes to web 1 through the extensions' endpoint; a worker is SIGKILLed while it
// has jobs running; every result is then viewed and published from web 2. Each product must end with
// exactly one output, its image served from the store, and exactly one new media in the Admin API
// emulator carrying that image.

const PRODUCTS = 50;
const queuePrefix = `multi-${process.pid}-${Date.now().toString(36)}`;
/** This run's own store: every Redis key that names it must be under this run's prefix. */
const SHOP = `${queuePrefix}.myshopify.com`;
/** The fake's quota, and the cluster's share of it (GEMINI_RPM, GEMINI_CONCURRENCY): below, as a deployment sets it. */
const FAKE_LIMIT = { rpm: 600, burst: 6 };
const GEMINI_RPM = 480;
const GEMINI_CONCURRENCY = 4;
const LATENCY_MS = 400;
/** A killed worker's jobs run again after this (plus half of it, the stalled-job check). */
const WORKER_LOCK_SECONDS = 8;

let s3: S3Server;
let gemini: GeminiModelFake;
let database: { url: string; drop(): Promise<void> };
let prisma: Db;
let stack: Stack;
let redis: Redis;
let queue: Queue;
let runDir: string;
const logs: string[] = [];

/** Each process's own folder: its working directory, with its temp folder inside. */
const processDir = (name: string) => path.join(runDir, name);

beforeAll(async () => {
  runDir = mkdtempSync(path.join(tmpdir(), "studio-multi-"));
  [s3, gemini, database] = await Promise.all([
    startS3Server(),
    startGeminiModelFake({ latencyMs: LATENCY_MS, limit: FAKE_LIMIT }),
    createEmptyDatabase("postgresql"),
  ]);
  const port = await freePort();
  stack = await startStack({
    port,
    webs: 2,
    workers: 3,
    // Only the migration reads it (the database is PostgreSQL, the files are on S3): nothing is written here.
    storageDir: path.join(runDir, "unused"),
    storageEnv: s3.env,
    databaseUrl: database.url,
    queuePrefix,
    emulator: { mediaProcessingMs: 10, seedDemoShop: false },
    workerNodeOptions: ["--import", "./scripts/chaos/segmentation-hook.ts"],
    perProcess: (name) => {
      mkdirSync(path.join(processDir(name), "tmp"), { recursive: true });
      return { cwd: processDir(name), env: { TMPDIR: path.join(processDir(name), "tmp") } };
    },
    env: {
      REDIS_URL: "redis://127.0.0.1:6379",
      GEMINI_API_KEY: "fake",
      GEMINI_API_BASE_URL: gemini.url,
      GEMINI_RPM: String(GEMINI_RPM),
      GEMINI_CONCURRENCY: String(GEMINI_CONCURRENCY),
      // Longer than a worker's event loop may stall on two loaded cores (a lease that lapses lets a
      // fifth request in); the killed worker's places come back after it.
      PROVIDER_LEASE_SECONDS: "15",
      WORKER_CONCURRENCY: "2",
      WORKER_LOCK_SECONDS: String(WORKER_LOCK_SECONDS),
      RECONCILE_INTERVAL_SECONDS: "5",
      MEDIA_POLL_TIMEOUT_SECONDS: "20",
    },
    output: (name, text) => {
      for (const line of text.split("\n")) if (line.trim()) logs.push(`[${name}] ${line}`);
    },
  });
  const record = (stack.emulator.addShop(SHOP), stack.emulator.state.shops.get(SHOP)!);
  seedShop(stack.emulator.state, record, await smallDemoPhotos(path.join(runDir, "photos"), 800), { productCount: PRODUCTS });
  prisma = createPrismaClient(database.url);
  // The smallest output size the settings allow: the test is about processes, not pixels.
  await prisma.shopSettings.create({ data: { shop: SHOP, provider: "gemini", whiteOptions: JSON.stringify({ size: 1000 }) } });
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = new Queue(QUEUE_NAME, { connection: redis, prefix: queuePrefix });
});

afterAll(async () => {
  await stack?.stop();
  await queue?.close();
  if (redis) {
    // This run's keys only: the Redis is shared.
    for (let cursor = "0"; ;) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${queuePrefix}:*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      if ((cursor = next) === "0") break;
    }
    await redis.quit();
  }
  await prisma?.$disconnect();
  await database?.drop();
  await gemini?.close();
  await s3?.stop();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

/** What the test is doing, with the seconds since it began: on a busy machine, where the time went. */
const began = Date.now();
const phase = (text: string) => console.log(`[multi] ${((Date.now() - began) / 1000).toFixed(1)} s: ${text}`);

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function live(name: string) {
  const entry = stack.processes.find((p) => p.name === name)!;
  return entry.child.exitCode === null && !entry.child.signalCode;
}

/** An output's image as a browser gets it from the page's URL: web 2's /files route, then where it redirects. */
async function fetchImage(webUrl: string, url: string): Promise<{ bytes: Buffer; redirectedTo: URL }> {
  const first = await fetch(new URL(url, webUrl), { redirect: "manual" });
  expect(first.status, `${url} on web 2`).toBe(302);
  const location = new URL(first.headers.get("location")!, webUrl);
  const second = await fetch(location);
  expect(second.status, `the store's answer for ${url}`).toBe(200);
  return { bytes: Buffer.from(await second.arrayBuffer()), redirectedTo: location };
}

describe("two web processes and three workers, on PostgreSQL, S3 and one Redis", () => {
  test("a 50-product bulk action on web 1, a worker SIGKILLed midway, every result viewed and published once from web 2", async () => {
    const [web1Url, web2Url] = stack.webUrls;
    const web1 = new ShopClient(web1Url, SHOP, stack.apiSecret);
    const web2 = new ShopClient(web2Url, SHOP, stack.apiSecret);
    const store = stack.emulator.state.shops.get(SHOP)!;
    const products = [...store.products.values()];
    const mediaBefore = new Map(products.map((p) => [p.id, p.mediaIds.length]));

    // Every worker is up before the request: the kill below must find jobs on the one it kills.
    await waitUntil("three ready workers", async () => logs.filter((l) => /^\[worker(-\d)?\] .*ready/.test(l)).length >= 3, 90_000, 200);

    // Each web process serves the built assets and public/ from the build's folder, whatever its working directory.
    const asset = readdirSync(path.join(import.meta.dirname, "../../build/client/assets")).find((name) => name.endsWith(".js"))!;
    for (const url of stack.webUrls) {
      for (const pathname of [`/assets/${asset}`, "/presets/festive.webp"]) {
        const response = await fetch(new URL(pathname, url));
        expect(response.status, `${pathname} on ${url}`).toBe(200);
        await response.body?.cancel();
      }
    }

    // The home page's coverage, read on web 1, is served from the shared cache on web 2: one bulk operation.
    type Catalogue = { coverage: { total: number } };
    const coverageOn = async (client: ShopClient) => {
      const answer = await client.load<Catalogue>("/app/catalogue", "routes/app.catalogue");
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      return answer.data.coverage;
    };
    expect((await coverageOn(web1)).total).toBe(PRODUCTS);
    expect((await coverageOn(web2)).total).toBe(PRODUCTS);
    expect(stack.emulator.bulk.operations(SHOP)).toHaveLength(1);

    // WHEN the bulk action on the product list posts 50 products to web 1.
    const started = Date.now();
    phase("every process is up; the bulk action goes to web 1");
    const answer = await web1.bulk(products.map((p) => p.id));
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    const batchId = answer.data.batchId!;
    expect(answer.data.jobs).toHaveLength(PRODUCTS);

    // AND worker-2 is SIGKILLed while it runs jobs, once a fifth of the batch is done.
    const victim = stack.processes.find((p) => p.name === "worker-2")!.child;
    const victimName = (name: string | undefined) => name?.endsWith(`:${victim.pid}`);
    const killedJobs = await waitUntil(
      "worker-2 running jobs with a fifth of the batch done",
      async () => {
        const done = await prisma.job.count({ where: { shop: SHOP, batchId, status: "done" } });
        if (done < PRODUCTS / 5) return null;
        const mine = (await queue.getJobs(["active"])).filter((job) => victimName(job.processedBy));
        return mine.length > 0 ? mine.map((job) => (job.data as { jobId: string }).jobId) : null;
      },
      120_000,
      100,
    );
    phase(`worker-2 SIGKILLed with ${killedJobs.length} job(s) running`);
    victim.kill("SIGKILL");
    await new Promise((resolve) => victim.once("exit", resolve));
    const doneAtKill = await prisma.job.count({ where: { shop: SHOP, batchId, status: "done" } });

    // THEN the batch finishes, as web 2 shows it, with every product done.
    type BatchPage = { batch: { counts: Record<string, number>; pages: number }; jobs: { id: string; status: string }[] };
    const batchPage = await waitUntil(
      "the batch to finish (on web 2)",
      async () => {
        const page = await web2.load<BatchPage>(`/app/batches/${batchId}`, "routes/app.batches.$id");
        expect(page.status).toBe(200);
        const counts = page.data.batch.counts;
        return (counts.done ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0) === PRODUCTS ? page.data : null;
      },
      420_000,
      500,
    );
    const generatedIn = Date.now() - started;
    phase("the batch is done; viewing every result on web 2");
    expect(batchPage.batch.counts.done).toBe(PRODUCTS);
    expect(live("worker-2")).toBe(false);
    expect(live("worker") && live("worker-3")).toBe(true);

    // Every result is viewable from web 2: its URL there leads to a presigned URL of the store, and
    // the image it gives decodes.
    const jobs = await prisma.job.findMany({ where: { shop: SHOP, batchId }, select: { id: true, productId: true } });
    expect(new Set(jobs.map((j) => j.productId)).size).toBe(PRODUCTS);
    const pages = new Map<string, JobPage>();
    const digests = new Map<string, string>();
    for (const job of jobs) {
      const page = await web2.job(job.id);
      expect(page.status).toBe(200);
      expect(page.data.job.status).toBe("done");
      expect(page.data.outputs, `outputs of ${job.id}`).toHaveLength(1);
      pages.set(job.id, page.data);
      const { bytes, redirectedTo } = await fetchImage(web2Url, page.data.outputs[0].url);
      expect(redirectedTo.origin).toBe(s3.endpoint);
      expect(redirectedTo.searchParams.has("X-Amz-Signature")).toBe(true);
      const { width, height } = await sharp(bytes).metadata();
      expect(width * height).toBeGreaterThan(0);
      digests.set(page.data.outputs[0].id, sha256(bytes));
    }

    phase("publishing every result through web 2");
    // WHEN every result is published through web 2's job page.
    for (const job of jobs) {
      const published = await web2.jobAction(job.id, "publish", [pages.get(job.id)!.outputs[0].id]);
      expect(published.status, published.text.slice(0, 300)).toBe(200);
    }
    await waitUntil(
      "every output to be published",
      async () => {
        const busy = await Promise.all(jobs.map(async (job) => pagePolls((await web2.job(job.id)).data)));
        return busy.every((polls) => !polls);
      },
      240_000,
      500,
    );

    phase("every output is published");
    // THEN each product has exactly one new media, carrying its output's image, and the app recorded it.
    const outputs = await prisma.output.findMany({ where: { shop: SHOP, job: { batchId } } });
    expect(outputs).toHaveLength(PRODUCTS);
    for (const job of jobs) {
      const [output] = outputs.filter((o) => o.jobId === job.id);
      expect(output.reviewState).toBe("published");
      const media = store.products.get(job.productId)!.mediaIds.map((id) => store.media.get(id)!);
      expect(media.length - mediaBefore.get(job.productId)!).toBe(1);
      const carrying = media.filter((m) => m.bytes.kind === "buffer" && sha256(m.bytes.buffer) === digests.get(output.id));
      expect(carrying.map((m) => m.id)).toEqual([output.shopifyMediaId]);
    }
    // The batch and the publishes made web 2 read the coverage again; web 1 then serves that one.
    await coverageOn(web2);
    const reads = stack.emulator.bulk.operations(SHOP).length;
    expect(reads).toBeGreaterThanOrEqual(2);
    await coverageOn(web1);
    await coverageOn(web2);
    expect(stack.emulator.bulk.operations(SHOP)).toHaveLength(reads);
    // Every key the processes wrote for this store (pacing, coverage, locks) is under this run's prefix.
    const shopKeys: string[] = [];
    for (let cursor = "0"; ;) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `*${SHOP}*`, "COUNT", 1000);
      shopKeys.push(...keys);
      if ((cursor = next) === "0") break;
    }
    expect(shopKeys.length).toBeGreaterThan(0);
    expect(shopKeys.filter((key) => !key.startsWith(`${queuePrefix}:`))).toEqual([]);

    // Charged once each, including the jobs the killed worker had running.
    const usage = await prisma.usage.findMany({ where: { shop: SHOP } });
    expect(usage.reduce((sum, row) => sum + row.images, 0)).toBe(PRODUCTS);
    for (const jobId of killedJobs) expect(outputs.filter((o) => o.jobId === jobId)).toHaveLength(1);

    // Nothing was kept on any process's disk: every working directory holds only its (empty or
    // throw-away) temp folder.
    for (const { name } of stack.processes) expect(readdirSync(processDir(name)), name).toEqual(["tmp"]);

    const runs = (await prisma.job.findMany({ where: { shop: SHOP, batchId }, select: { startedAt: true, finishedAt: true } }))
      .map((job) => job.finishedAt!.getTime() - job.startedAt!.getTime())
      .sort((a, b) => a - b);
    console.log(
      `[multi] one job's last run: p50 ${runs[runs.length >> 1]} ms, max ${runs.at(-1)} ms; ${PRODUCTS} products generated in ${(generatedIn / 1000).toFixed(1)} s; worker-2 killed with ` +
        `${killedJobs.length} job(s) running and ${doneAtKill} done; the provider answered ${gemini.imagesMade} images ` +
        `and refused ${gemini.refusals.length} request(s) over its limit; at most ${gemini.maxInFlight} at once`,
    );
    expect(gemini.maxInFlight).toBeLessThanOrEqual(GEMINI_CONCURRENCY);
  });
});

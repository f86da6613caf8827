import { readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { parseDatabaseUrl } from "~/infra/database-url";
import { makeProductPhoto } from "../fakes/product-photo";
import { SHOP_A, startAppTest, type AppTest } from "../app";
import { testDatabaseKind } from "../db";
import {
  jobIdOf,
  postBulk,
  postGeneration,
  startCuttableLink,
  startHeldGemini,
  startPrivateRedis,
  startWorkerProcess,
  waitFor,
  type HeldGemini,
  type PrivateRedis,
  type WorkerProcess,
} from "./harness";
import type * as DbModule from "~/infra/db.server";

// The worker under real faults: real worker processes (`npm run worker`), killed for real; a private
// redis-server, flushed and restarted; the real database, locked from outside; Gemini through its SDK
// against a stand-in whose answers the test holds. Each test checks what the merchant would see and
// what was paid for: the rows, the files, the usage, the product's media and the provider's calls.

let app: AppTest;
let redis: PrivateRedis;
let gemini: HeldGemini;
let queue: Queue;
let prisma: typeof DbModule.prisma;
const workers: WorkerProcess[] = [];

// The lock must outlast the longest stretch image work holds the event loop (measured up to 17 s on
// these loaded machines), or BullMQ takes a running job for stalled.
const LOCK_SECONDS = "30";

beforeAll(async () => {
  app = await startAppTest();
  redis = await startPrivateRedis();
  gemini = await startHeldGemini(await makeProductPhoto({ width: 1024, height: 1024, background: "#fcfcfa", scale: 0.7 }));
  // The web side (this process) and every worker process share these.
  Object.assign(process.env, {
    REDIS_URL: redis.url,
    GEMINI_API_KEY: "test-gemini-key",
    GEMINI_API_BASE_URL: gemini.url,
    WORKER_CONCURRENCY: "1",
    WORKER_LOCK_SECONDS: LOCK_SECONDS,
    RECONCILE_INTERVAL_SECONDS: "2",
  });
  prisma = (await import("~/infra/db.server")).prisma;
  queue = new Queue("studio", { connection: { url: redis.url }, prefix: app.queuePrefix });
}, 120_000);

beforeEach(async () => {
  // Each test sets the settings it needs; the cap's usage carries over, so tests compare before/after.
  await prisma.shopSettings.deleteMany({ where: { shop: SHOP_A } });
});

afterEach(async () => {
  gemini.release();
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
});

afterAll(async () => {
  await queue?.close();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  await gemini?.close();
  await redis?.stop();
  await app?.stop();
});

async function startWorker(env: Record<string, string> = {}) {
  const worker = await startWorkerProcess(env);
  workers.push(worker);
  return worker;
}

const job = (id: string) => prisma.job.findFirstOrThrow({ where: { id, shop: SHOP_A }, include: { outputs: true } });

async function waitForStatus(id: string, statuses: string[], timeoutMs = 240_000) {
  return waitFor(
    `job ${id} to be ${statuses.join(" or ")}`,
    async () => {
      const row = await job(id);
      return statuses.includes(row.status) ? row : null;
    },
    timeoutMs,
  );
}

async function usage() {
  const row = await prisma.usage.findFirst({ where: { shop: SHOP_A } });
  return { images: row?.images ?? 0, paidImages: row?.paidImages ?? 0, reserved: row?.reserved ?? 0 };
}

/** The files a job left in storage. */
function storedFiles(jobId: string) {
  try {
    return readdirSync(path.join(app.storageDir, SHOP_A, jobId)).sort();
  } catch {
    return [];
  }
}

describe("a worker killed after it saved a job's outputs", () => {
  test("leaves the job to the next worker, which finishes it without making, paying or counting the image again", async () => {
    // GIVEN a paid provider and a worker making one white-background image
    await prisma.shopSettings.create({ data: { shop: SHOP_A, monthlyCap: 5 } });
    const usageBefore = await usage();
    const link = await startCuttableLink(redis.url);
    const first = await startWorker({ REDIS_URL: link.url });
    gemini.hold();
    const id = jobIdOf(await postGeneration(app, SHOP_A, { provider: "gemini", options: { size: 1024 } }));
    await waitFor("the paid call", async () => gemini.waiting === 1);
    const callsBefore = gemini.calls;

    // WHEN the worker's link to Redis is cut just before it saves (so it cannot mark the entry
    // completed), the outputs are saved, and the worker is killed
    link.cut();
    gemini.release();
    const saved = await waitFor("the outputs to be saved", async () => {
      const row = await job(id);
      return row.outputs.length > 0 ? row : null;
    });
    await first.kill("SIGKILL");
    await link.close();
    expect(saved).toMatchObject({ status: "done", reservedImages: 0 });
    expect(await queue.getJobState(`generate-${id}-0`)).toBe("active");

    // THEN a fresh worker takes the entry once its lock has expired, finds the attempt's outputs saved
    // and completes it: nothing is made, paid or counted again
    await startWorker();
    await waitFor("the entry to complete", async () => (await queue.getJobState(`generate-${id}-0`)) === "completed", 240_000);
    const done = await job(id);
    expect(done).toMatchObject({ status: "done", progress: 100, error: null, reservedImages: 0, attempts: 0 });
    expect(done.outputs.map((o) => o.id)).toEqual(saved.outputs.map((o) => o.id));
    expect(gemini.calls).toBe(callsBefore);
    expect(await usage()).toMatchObject({ images: usageBefore.images + 1, paidImages: usageBefore.paidImages + 1, reserved: 0 });
    expect(storedFiles(id)).toEqual([path.basename(done.outputs[0].storageKey)]);
  }, 300_000);
});

describe("a queue that loses its data", () => {
  test.each([
    ["flushed (FLUSHALL)", () => redis.flush()],
    ["restarted without persistence", () => redis.restart()],
  ])(
    "when %s, is rebuilt from the database within one reconciler interval, and every job finishes",
    async (_fault, fault) => {
      await prisma.shopSettings.create({ data: { shop: SHOP_A, provider: "local" } });
      // While Redis restarts, this process's own Redis clients (the Admin API pacer) report it.
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const worker = await startWorker();
      const response = await postBulk(app, SHOP_A, 2);
      const ids = ((await response.json()) as { jobs: { id: string }[] }).jobs.map((j) => j.id);
      await waitFor(
        "one job to be running",
        async () => (await prisma.job.count({ where: { id: { in: ids }, status: { in: ["analysing", "generating", "checking"] } } })) > 0,
      );

      await fault();

      await waitFor(
        "the reconciler to queue the lost jobs again",
        async () => worker.output.some((line) => line.includes("[reconcile] queued again")),
        30_000,
      );
      const rows = await waitFor(
        "every job to finish",
        async () => {
          const found = await prisma.job.findMany({ where: { id: { in: ids } }, include: { outputs: true } });
          return found.every((row) => ["done", "failed"].includes(row.status)) ? found : null;
        },
        240_000,
      );
      for (const row of rows) {
        expect(row).toMatchObject({ status: "done", error: null });
        expect(row.outputs).toHaveLength(1);
      }
      // The schedulers came back with the data.
      const maintenance = new Queue("studio-maintenance", { connection: { url: redis.url }, prefix: app.queuePrefix });
      expect((await maintenance.getJobSchedulers()).map((s) => s.key).sort()).toEqual(["reconcile", "retention", "sweep"]);
      await maintenance.close();
      for (const [message] of errors.mock.calls) expect(String(message)).toMatch(/ioredis|ECONNREFUSED|Connection is closed/);
    },
    300_000,
  );
});

describe("the worker process", () => {
  test.runIf(testDatabaseKind() === "sqlite")(
    "survives progress writes that fail (the database locked past its busy timeout), and the job still finishes",
    async () => {
      const worker = await startWorker();
      gemini.hold();
      const id = jobIdOf(await postGeneration(app, SHOP_A, { provider: "gemini", options: { size: 1024 } }));
      await waitFor("the paid call", async () => gemini.waiting === 1);

      // Another process holds the database's write lock for longer than the worker waits for it.
      const { file } = parseDatabaseUrl(process.env.DATABASE_URL!) as { file: string };
      const blocker = new Database(file);
      blocker.exec("BEGIN IMMEDIATE");
      try {
        await worker.waitForOutput(/heartbeat not written|progress not written/, 60_000);
      } finally {
        blocker.exec("ROLLBACK");
        blocker.close();
      }
      gemini.release();

      const done = await waitForStatus(id, ["done", "failed"]);
      expect(done).toMatchObject({ status: "done", error: null });
      expect(worker.child.exitCode).toBeNull();
      expect(worker.output.join("\n")).not.toMatch(/unhandled rejection|uncaught exception/);
    },
    300_000,
  );

  test("on SIGTERM with a long job, exits within its deadline, and the job goes back to the queue and completes later", async () => {
    const worker = await startWorker({ WORKER_SHUTDOWN_SECONDS: "6" });
    gemini.hold();
    const id = jobIdOf(await postGeneration(app, SHOP_A, { provider: "gemini", options: { size: 1024 } }));
    await waitFor("the paid call", async () => gemini.waiting === 1);
    // Image work beside the call holds the event loop for seconds, and a signal is only handled after
    // it: wait until the worker is idle on the held answer (its heartbeat moves again).
    const heartbeat = (await job(id)).heartbeatAt!;
    await waitFor("the worker to be idle", async () => (await job(id)).heartbeatAt! > heartbeat, 60_000);

    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    const seconds = (Date.now() - signalled) / 1000;
    console.log(`[test] worker exited ${seconds.toFixed(1)} s after SIGTERM (deadline 6 s)`);

    // It did not wait for the held answer: it aborted the job and exited cleanly.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(worker.output.join("\n")).toMatch(/aborting running jobs/);
    // The job is back in the queue, with no attempt spent and nothing failed.
    const entry = (await queue.getJobs(["waiting", "prioritized"])).find((e) => e.data.jobId === id);
    expect(entry).toMatchObject({ attemptsMade: 0 });
    const row = await job(id);
    expect(row.status).not.toBe("failed");
    expect(row.reservedImages).toBe(1);
    const usageBefore = await usage();

    gemini.release();
    await startWorker();
    const done = await waitForStatus(id, ["done", "failed"]);
    expect(done).toMatchObject({ status: "done", error: null, attempts: 0 });
    expect(done.outputs).toHaveLength(1);
    expect(await usage()).toMatchObject({
      images: usageBefore.images + 1,
      paidImages: usageBefore.paidImages + 1,
      reserved: usageBefore.reserved - 1,
    });
    expect(storedFiles(id)).toEqual([path.basename(done.outputs[0].storageKey)]);
  }, 300_000);
});

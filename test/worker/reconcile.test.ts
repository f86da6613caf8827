import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { SHOP_A, startAppTest, type AppTest } from "../app";
import { waitFor } from "./harness";
import type * as DbModule from "~/infra/db.server";
import type * as JobsModule from "~/models/jobs.server";
import type * as ReconcileModule from "~/processors/reconcile.server";
import type * as EnvModule from "~/infra/env.server";

// The reconciler against the real queue and database: what it does with each way a row and its entry
// can disagree, and that one job scheduler runs it (and retention) for the whole cluster.

let app: AppTest;
let queue: Queue;
let maintenanceQueue: Queue;
let connection: Redis;
let prisma: typeof DbModule.prisma;
let jobs: typeof JobsModule;
let reconcileJobs: typeof ReconcileModule.reconcileJobs;
let env: typeof EnvModule.env;

const LATER = (seconds: number) => new Date(Date.now() + seconds * 1000);

beforeAll(async () => {
  app = await startAppTest();
  process.env.GEMINI_API_KEY = "test-gemini-key";
  prisma = (await import("~/infra/db.server")).prisma;
  jobs = await import("~/models/jobs.server");
  ({ reconcileJobs } = await import("~/processors/reconcile.server"));
  ({ env } = await import("~/infra/env.server"));
  connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  queue = new Queue("studio", { connection, prefix: app.queuePrefix });
  maintenanceQueue = new Queue("studio-maintenance", { connection, prefix: app.queuePrefix });
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await maintenanceQueue?.obliterate({ force: true });
  await queue?.close();
  await maintenanceQueue?.close();
  connection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  await closeQueue();
  await app?.stop();
});

beforeEach(async () => {
  await queue.obliterate({ force: true });
  await prisma.job.deleteMany({});
  await prisma.usage.deleteMany({});
});

async function newJobs(count: number, provider = "gemini") {
  const input = {
    productId: "gid://shopify/Product/1",
    productTitle: "Jam jar",
    mode: "white" as const,
    options: { size: 1024, format: "jpeg" },
    provider,
    sources: [{ origin: "product" as const, url: "https://cdn.shopify.com/jam.jpg" }],
  };
  const created = await jobs.createJobs(
    SHOP_A,
    Array.from({ length: count }, () => input),
    count > 1 ? { mode: "white", options: {} } : undefined,
  );
  return created.jobs;
}

/** Takes the next entry off the queue as a worker would (active, locked), without running anything. */
async function takeEntry() {
  const taker = new Worker("studio", null, { connection, prefix: app.queuePrefix, lockDuration: 600_000 });
  const token = "test-token";
  const entry = await taker.getNextJob(token);
  return { entry: entry, token, close: () => taker.close() };
}

const row = (id: string) => prisma.job.findFirstOrThrow({ where: { id, shop: SHOP_A } });
const reserved = async () => (await prisma.usage.findFirst({ where: { shop: SHOP_A } }))?.reserved ?? 0;

describe("the reconciler", () => {
  test("queues a job again whose entry is gone, with its attempt and priority, and leaves one whose entry waits", async () => {
    const [first, second] = await newJobs(2);
    await queue.remove(`generate-${second.id}-0`);

    expect(await reconcileJobs()).toEqual({ requeued: 1, failed: 0 });

    const entry = await queue.getJob(`generate-${second.id}-0`);
    expect(entry?.data).toEqual({ kind: "generate", shop: SHOP_A, jobId: second.id, attempt: 0 });
    expect(entry?.opts.priority).toBe(2);
    expect(await queue.getJobState(`generate-${first.id}-0`)).toBe("prioritized");
    // Nothing left to do: a second run changes nothing.
    expect(await reconcileJobs()).toEqual({ requeued: 0, failed: 0 });
  });

  test("leaves a running job whose entry is gone to its worker while it shows signs of life, and queues it again once silent", async () => {
    const [job] = await newJobs(1);
    expect(await jobs.claimAttempt(SHOP_A, job.id, 0)).toBe(true);
    await queue.remove(`generate-${job.id}-0`);

    expect(await reconcileJobs(LATER(env.WORKER_LOCK_SECONDS / 2))).toEqual({ requeued: 0, failed: 0 });
    expect(await queue.getJobState(`generate-${job.id}-0`)).toBe("unknown");

    expect(await reconcileJobs(LATER(env.WORKER_LOCK_SECONDS * 2))).toEqual({ requeued: 1, failed: 0 });
    expect(await queue.getJobState(`generate-${job.id}-0`)).toBe("prioritized");
    expect(await row(job.id)).toMatchObject({ status: "analysing", attempts: 0, reservedImages: 1 });
  });

  test("fails a job whose entry BullMQ failed, with WORKER_LOST after stalls and INTERRUPTED otherwise, giving back its reservation", async () => {
    const [stalled, interrupted] = await newJobs(2);
    expect(await reserved()).toBe(2);
    for (const [id, reason] of [
      [stalled.id, "job stalled more than allowable limit"],
      [interrupted.id, "Can't reach database server"],
    ] as const) {
      const { entry, token, close } = await takeEntry();
      expect(entry.data.jobId).toBe(id);
      await entry.moveToFailed(new UnrecoverableError(reason), token);
      await close();
    }

    expect(await reconcileJobs()).toEqual({ requeued: 0, failed: 2 });

    expect(await row(stalled.id)).toMatchObject({ status: "failed", errorCode: "WORKER_LOST", reservedImages: 0 });
    expect(await row(interrupted.id)).toMatchObject({ status: "failed", errorCode: "INTERRUPTED", reservedImages: 0 });
    expect((await row(stalled.id)).error).toMatch(/Retry it/);
    expect(await reserved()).toBe(0);
    // Retry works on such a row like on any failed one.
    expect(await jobs.retryJob(SHOP_A, stalled.id)).toBeTruthy();
    expect(await row(stalled.id)).toMatchObject({ status: "queued", attempts: 1, reservedImages: 1 });
  });

  test("the worker's failed handler fails the row of a job BullMQ failed for stalling, without the processor", async () => {
    const [job] = await newJobs(1);
    const { entry, token, close } = await takeEntry();
    const error = new UnrecoverableError("job stalled more than allowable limit");
    await entry.moveToFailed(error, token);
    await close();
    const { onStudioJobFailed } = await import("~/processors/worker.server");

    await onStudioJobFailed(entry, error);

    expect(await row(job.id)).toMatchObject({ status: "failed", errorCode: "WORKER_LOST", reservedImages: 0 });
    expect(await reserved()).toBe(0);
  });

  test("fails a run that has gone on far longer than JOB_STUCK_SECONDS with TIMED_OUT", async () => {
    const [job] = await newJobs(1);
    const { close } = await takeEntry();
    expect(await jobs.claimAttempt(SHOP_A, job.id, 0)).toBe(true);

    expect(await reconcileJobs(LATER(env.JOB_STUCK_SECONDS / 2))).toEqual({ requeued: 0, failed: 0 });
    expect(await reconcileJobs(LATER(env.JOB_STUCK_SECONDS + 1))).toEqual({ requeued: 0, failed: 1 });

    expect(await row(job.id)).toMatchObject({ status: "failed", errorCode: "TIMED_OUT", reservedImages: 0 });
    // Its still-running worker now finds the row is no longer its own.
    expect(await jobs.touchJob(SHOP_A, job.id, 0)).toBe(false);
    await close();
  });

  test("leaves an uploading job while its outputs publish, and queues it again once nothing publishes and it is silent", async () => {
    const [job] = await newJobs(1);
    await jobs.claimAttempt(SHOP_A, job.id, 0);
    const [output] = (await jobs.saveOutputs(
      SHOP_A,
      { id: job.id, attempts: 0, provider: "gemini" },
      [
        {
          storageKey: `${SHOP_A}/${job.id}/0-0.jpg`,
          format: "jpeg",
          width: 10,
          height: 10,
          bytes: 10,
          provider: "gemini",
          prompt: null,
          promptVersion: "v",
          report: "{}",
        },
      ],
      "uploading",
      [0],
    ))!;
    await queue.remove(`generate-${job.id}-0`);
    await prisma.output.update({ where: { id: output.id }, data: { reviewState: "publishing" } });

    expect(await reconcileJobs(LATER(env.WORKER_LOCK_SECONDS * 2))).toEqual({ requeued: 0, failed: 0 });

    await prisma.output.update({ where: { id: output.id }, data: { reviewState: "pending" } });
    expect(await reconcileJobs(LATER(env.WORKER_LOCK_SECONDS / 2))).toEqual({ requeued: 0, failed: 0 });
    expect(await reconcileJobs(LATER(env.WORKER_LOCK_SECONDS * 2))).toEqual({ requeued: 1, failed: 0 });
    expect(await queue.getJobState(`generate-${job.id}-0`)).toBe("prioritized");
    // Never failed: its images are made and counted; only the publish is left.
    expect(await row(job.id)).toMatchObject({ status: "uploading" });
  });
});

describe("the cluster's schedules", () => {
  test("are upserted idempotently, keep their next run, and come back after Redis loses them", async () => {
    const { ensureSchedulers } = await import("~/infra/queue.server");
    const every = { reconcileMs: 60_000, retentionMs: 3_600_000, sweepMs: 86_400_000 };
    await ensureSchedulers(every);
    const first = await maintenanceQueue.getJobSchedulers();
    await ensureSchedulers(every);
    const second = await maintenanceQueue.getJobSchedulers();
    expect(first.map((s) => [s.key, s.every]).sort()).toEqual([
      ["reconcile", 60_000],
      ["retention", 3_600_000],
      ["sweep", 86_400_000],
    ]);
    expect(second.map((s) => [s.key, s.next]).sort()).toEqual(first.map((s) => [s.key, s.next]).sort());

    await maintenanceQueue.obliterate({ force: true });
    expect(await maintenanceQueue.getJobSchedulers()).toEqual([]);
    await ensureSchedulers(every);
    expect((await maintenanceQueue.getJobSchedulers()).map((s) => s.key).sort()).toEqual(["reconcile", "retention", "sweep"]);
  });

  test("run the reconciler on a maintenance worker: a lost entry is back within one interval", async () => {
    const { ensureSchedulers } = await import("~/infra/queue.server");
    const { createMaintenanceWorker } = await import("~/processors/worker.server");
    await maintenanceQueue.obliterate({ force: true });
    const [job] = await newJobs(1);
    await queue.remove(`generate-${job.id}-0`);

    const worker = createMaintenanceWorker({ connection, prefix: app.queuePrefix });
    try {
      await ensureSchedulers({ reconcileMs: 1000, retentionMs: 3_600_000, sweepMs: 86_400_000 });
      await waitFor(
        "the entry to be queued again",
        async () => (await queue.getJobState(`generate-${job.id}-0`)) === "prioritized",
        10_000,
      );
      expect((await queue.getJob(`generate-${job.id}-0`))?.data).toEqual({ kind: "generate", shop: SHOP_A, jobId: job.id, attempt: 0 });
    } finally {
      await worker.close();
      await maintenanceQueue.obliterate({ force: true });
    }
  });
});

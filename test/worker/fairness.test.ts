import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import { waitFor } from "./harness";
import type * as JobsModule from "~/models/jobs.server";

// Per-shop fairness with open-source BullMQ (no groups): jobs are created and queued by the app's own
// createJobs, then taken by a real BullMQ worker in the order the queue gives them. The processor only
// records that order and takes a moment, standing in for a job's work: what is tested is who goes next.

let app: AppTest;
let queue: Queue;
let connection: Redis;
let jobs: typeof JobsModule;

beforeAll(async () => {
  app = await startAppTest();
  jobs = await import("~/models/jobs.server");
  connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  queue = new Queue("studio", { connection, prefix: app.queuePrefix });
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  connection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  await closeQueue();
  await app?.stop();
});

const input = (n: number) => ({
  productId: `gid://shopify/Product/${n}`,
  productTitle: `Product ${n}`,
  mode: "white" as const,
  options: { size: 1024, format: "jpeg" },
  provider: "local",
  sources: [{ origin: "product" as const, url: `https://cdn.shopify.com/${n}.jpg` }],
});

describe("per-shop fairness", () => {
  test("shop B's single job starts next while shop A's batch runs, and A's later job waits behind A's own backlog", async () => {
    const BATCH = 60;
    const { jobs: batch } = await jobs.createJobs(
      SHOP_A,
      Array.from({ length: BATCH }, (_, i) => input(i)),
      { mode: "white", options: {} },
    );
    const started: { shop: string; jobId: string }[] = [];
    const worker = new Worker(
      "studio",
      async (job: Job<{ shop: string; jobId: string }>) => {
        started.push({ shop: job.data.shop, jobId: job.data.jobId });
        await new Promise((resolve) => setTimeout(resolve, 40));
      },
      { connection: new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null }), prefix: app.queuePrefix, concurrency: 2 },
    );
    try {
      // A's batch is under way: a few of its jobs have run.
      await waitFor("shop A's batch to be running", async () => started.length >= 6, 60_000);
      const { jobs: single } = await jobs.createJobs(SHOP_B, [input(1000)]);
      const { jobs: laterOfA } = await jobs.createJobs(SHOP_A, [input(2000)]);
      const startedBefore = started.length;
      await waitFor("every job to start", async () => started.length === BATCH + 2, 120_000);

      const position = (jobId: string) => started.findIndex((s) => s.jobId === jobId);
      // B's job is taken by the next free worker slot: at most the slots that were already busy with
      // A's jobs (and one taken as it was queued) start before it, not the rest of A's backlog.
      const aheadOfB = position(single[0].id) - startedBefore;
      expect(aheadOfB).toBeLessThanOrEqual(2);
      expect(BATCH - startedBefore).toBeGreaterThan(40);
      // A's own later job ranks behind A's batch, so A cannot jump its queue by sending singles.
      expect(position(laterOfA[0].id)).toBe(BATCH + 1);
      expect(started.filter((s) => s.shop === SHOP_A)).toHaveLength(BATCH + 1);
      expect(batch.every((job) => position(job.id) >= 0)).toBe(true);
    } finally {
      await worker.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Queue } from "bullmq";
import type { Db } from "~/infra/prisma-client.server";
import { SHOP_A, startAppTest, type AppTest } from "../app";
import type * as DbModule from "~/infra/db.server";
import type * as JobsModule from "~/models/jobs.server";

// Cancel, Retry and every write of a running attempt are tied to the attempt number, on the real
// database and the real queue: whatever the interleaving, a job is never "queued" without its queue
// entry, and an old attempt never overwrites a newer one's row.

let app: AppTest;
let queue: Queue;
let prisma: typeof DbModule.prisma;
let jobs: typeof JobsModule;

beforeAll(async () => {
  app = await startAppTest();
  // A paid provider, so reservations are part of what must add up; nothing here calls it.
  process.env.GEMINI_API_KEY = "test-gemini-key";
  // The delay between the steps of a Cancel and a Retry: every read of a job row outside a transaction
  // takes a random 0-15 ms, as on a loaded database, so their steps interleave in many orders.
  // ~/db.server takes the client from this cache (see its comment), so the app runs on it unchanged.
  const { createPrismaClient } = await import("~/infra/prisma-client.server");
  const url = process.env.DATABASE_URL!;
  const slowReads = createPrismaClient(url).$extends({
    query: { job: { findFirst: async ({ args, query }) => (await sleep(Math.random() * 15), query(args)) } },
  });
  globalThis.__studioPrisma = { url, client: slowReads as unknown as Db };
  prisma = (await import("~/infra/db.server")).prisma;
  jobs = await import("~/models/jobs.server");
  queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  const { closeQueue } = await import("~/infra/queue.server");
  await closeQueue();
  await app?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function newJob(provider = "gemini") {
  const {
    jobs: [job],
  } = await jobs.createJobs(SHOP_A, [
    {
      productId: "gid://shopify/Product/1",
      productTitle: "Jam jar",
      mode: "white",
      options: { size: 1024, format: "jpeg" },
      provider,
      sources: [{ origin: "product", url: "https://cdn.shopify.com/jam.jpg" }],
    },
  ]);
  return job;
}

/** Queued means queued for real: the row's attempt has an entry waiting in Redis. */
async function expectConsistent(id: string) {
  const row = await prisma.job.findFirstOrThrow({ where: { id, shop: SHOP_A } });
  const state = await queue.getJobState(`generate-${id}-${row.attempts}`);
  if (row.status === "queued") expect(["waiting", "prioritized"], `job ${id} is queued at attempt ${row.attempts}`).toContain(state);
  // A row holds a reservation exactly while it may still make images.
  expect(row.reservedImages).toBe(["queued", "analysing", "generating", "checking"].includes(row.status) ? 1 : 0);
  return row;
}

async function expectUsageAddsUp() {
  const held = await prisma.job.aggregate({ where: { shop: SHOP_A }, _sum: { reservedImages: true } });
  const row = await prisma.usage.findFirst({ where: { shop: SHOP_A } });
  expect(row?.reserved ?? 0).toBe(held._sum.reservedImages ?? 0);
}

describe("Cancel and Retry interleaved", () => {
  test("with any delay between them, a job is never queued without a queue entry, and reservations add up", async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 24; round++) {
      const delay = round % 8;
      const job = await newJob();
      // Cancel a queued job while a Retry lands a moment later (the retry can only follow the cancel)...
      await Promise.all([jobs.cancelJob(SHOP_A, job.id), sleep(delay).then(() => jobs.retryJob(SHOP_A, job.id))]);
      seen.add((await expectConsistent(job.id)).status);
      // ...and the other way round on what that left: a Retry with a Cancel a moment later.
      await jobs.cancelJob(SHOP_A, job.id);
      await Promise.all([jobs.retryJob(SHOP_A, job.id), sleep(delay).then(() => jobs.cancelJob(SHOP_A, job.id))]);
      seen.add((await expectConsistent(job.id)).status);
    }
    await expectUsageAddsUp();
    // Both outcomes happened, so the interleavings were really exercised.
    expect([...seen].sort()).toEqual(["cancelled", "queued"]);
  });

  test("each cancel takes its own attempt's entry off the queue, and each retry gets an entry of its own", async () => {
    const job = await newJob();
    expect(await jobs.cancelJob(SHOP_A, job.id)).toBe(true);
    expect(await jobs.retryJob(SHOP_A, job.id)).toBeTruthy();
    expect(await queue.getJobState(`generate-${job.id}-1`)).toBe("prioritized");
    expect(await jobs.cancelJob(SHOP_A, job.id)).toBe(true);
    expect(await queue.getJobState(`generate-${job.id}-1`)).toBe("unknown");
    expect(await jobs.retryJob(SHOP_A, job.id)).toBeTruthy();
    expect(await expectConsistent(job.id)).toMatchObject({ status: "queued", attempts: 2 });
    expect(await queue.getJobState(`generate-${job.id}-0`)).toBe("unknown");
  });
});

describe("an old attempt", () => {
  test("cannot write progress, outputs, done or failed over the newer attempt's row", async () => {
    // GIVEN attempt 0 running, then cancelled and retried while it still runs
    const job = await newJob();
    expect(await jobs.claimAttempt(SHOP_A, job.id, 0)).toBe(true);
    await jobs.cancelJob(SHOP_A, job.id);
    await jobs.retryJob(SHOP_A, job.id);
    const before = await prisma.job.findFirstOrThrow({ where: { id: job.id } });
    expect(before).toMatchObject({ status: "queued", attempts: 1, reservedImages: 1 });

    // WHEN attempt 0 goes on writing
    await jobs.updateJobProgress(SHOP_A, job.id, 0, "generating", 60);
    expect(await jobs.touchJob(SHOP_A, job.id, 0)).toBe(false);
    expect(await jobs.claimAttempt(SHOP_A, job.id, 0)).toBe(false);
    const saved = await jobs.saveOutputs(
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
      "done",
      [0],
    );
    expect(await jobs.failJob(SHOP_A, job.id, 0, "INTERNAL", "Something went wrong on our side.")).toBe(false);

    // THEN nothing of it reached the row, the outputs or the usage
    expect(saved).toBeNull();
    expect(await prisma.job.findFirstOrThrow({ where: { id: job.id } })).toEqual(before);
    expect(await prisma.output.count({ where: { jobId: job.id } })).toBe(0);
    await expectUsageAddsUp();

    // AND attempt 1 saves its outputs once, settling its reservation with the images made
    expect(await jobs.claimAttempt(SHOP_A, job.id, 1)).toBe(true);
    const output = {
      storageKey: `${SHOP_A}/${job.id}/1-0.jpg`,
      format: "jpeg",
      width: 10,
      height: 10,
      bytes: 10,
      provider: "gemini",
      prompt: null,
      promptVersion: "v",
      report: "{}",
    };
    const usageBefore = await prisma.usage.findFirstOrThrow({ where: { shop: SHOP_A } });
    expect(await jobs.saveOutputs(SHOP_A, { id: job.id, attempts: 1, provider: "gemini" }, [output], "done", [0])).toHaveLength(1);
    expect(await jobs.saveOutputs(SHOP_A, { id: job.id, attempts: 1, provider: "gemini" }, [output], "done", [0])).toBeNull();
    expect(await prisma.job.findFirstOrThrow({ where: { id: job.id } })).toMatchObject({
      status: "done",
      reservedImages: 0,
      progress: 100,
    });
    expect(await prisma.usage.findFirstOrThrow({ where: { shop: SHOP_A } })).toMatchObject({
      images: usageBefore.images + 1,
      paidImages: usageBefore.paidImages + 1,
      reserved: usageBefore.reserved - 1,
    });
    await expectUsageAddsUp();
  });
});

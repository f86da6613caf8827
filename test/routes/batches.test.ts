import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import { Queue, type Worker } from "bullmq";
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { API_KEY, asShop, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import type * as DbModule from "~/infra/db.server";
import type * as JobsModule from "~/models/jobs.server";
import type * as StorageModule from "~/infra/storage.server";
import type * as AppBatchesIdModule from "~/routes/app.batches.$id/route";
import type * as ApiGenerateModule from "~/routes/api.generate";
import type * as AppIndexModule from "~/routes/app._index";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";

// The batch page of the bulk action: what it shows, what "Retry failed" and "Cancel the rest" change in
// the database and in the real queue, that the worker leaves a cancelled job alone, and that one shop
// can neither see nor touch another shop's batch.

let app: AppTest;
let queue: Queue;
let prisma: typeof DbModule.prisma;
let jobs: typeof JobsModule;
let storage: typeof StorageModule;
let routes: {
  batch: typeof AppBatchesIdModule;
  generate: typeof ApiGenerateModule;
  home: typeof AppIndexModule;
  job: typeof AppJobsIdModule;
};
let worker: Worker | undefined;
let workerConnection: Redis | undefined;

interface PageJob {
  id: string;
  productTitle: string;
  status: string;
  progress: number;
  error: string | null;
  thumbnail: string | null;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** A batch as the bulk action starts it: through /api/generate, one queued job per product. */
async function startBatch(shop: string, count: number) {
  // Products no unfinished job has: a resubmitted product would not be added again (see the dedupe test).
  const busy = new Set(
    (await prisma.job.findMany({ where: { shop, status: { in: ["queued", "analysing", "generating", "checking", "uploading"] } } })).map(
      (job) => job.productId,
    ),
  );
  const products = [...app.emulator.state.shops.get(shop)!.products.values()].filter((p) => p.mediaIds.length > 0 && !busy.has(p.id));
  const productIds = products.slice(0, count).map((p) => p.id);
  const request = await asShop(shop, "/api/generate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ productIds, mode: "white" }),
  });
  const response = await call(routes.generate.action, request);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { batchId: string; jobs: { id: string }[] };
  expect(body.jobs).toHaveLength(count);
  return { batchId: body.batchId, jobIds: body.jobs.map((job) => job.id) };
}

/** What the worker leaves behind when a job succeeds: a stored output and the job done. */
async function finishJob(shop: string, jobId: string) {
  const key = storage.fileKey(shop, jobId, "result.png");
  await storage.saveFile(key, Buffer.from("not really a png"));
  await prisma.output.create({
    data: { shop, jobId, position: 0, storageKey: key, format: "png", width: 10, height: 10, bytes: 16, provider: "local" },
  });
  await prisma.job.update({ where: { id: jobId }, data: { status: "done", progress: 100, finishedAt: new Date() } });
}

async function cancelFromJobPage(shop: string, jobId: string) {
  const form = new FormData();
  form.set("intent", "cancel");
  const response = await call(routes.job.action, await asShop(shop, `/app/jobs/${jobId}`, { method: "POST", body: form }), { id: jobId });
  expect(response.status).toBe(200);
}

async function loadBatchPage(shop: string, batchId: string) {
  return call(routes.batch.loader, await asShop(shop, `/app/batches/${batchId}`), { id: batchId });
}

async function postBatch(shop: string, batchId: string, intent: string) {
  const form = new FormData();
  form.set("intent", intent);
  return call(routes.batch.action, await asShop(shop, `/app/batches/${batchId}`, { method: "POST", body: form }), { id: batchId });
}

/** The ids of the queue entries still waiting to run for these jobs. */
async function waitingEntries(jobIds: string[]) {
  const waiting = await queue.getJobs(["waiting", "prioritized", "delayed"]);
  return waiting
    .filter((entry) => jobIds.includes(entry.data.jobId))
    .map((entry) => entry.id)
    .sort();
}

async function jobRows(jobIds: string[]) {
  const rows = await prisma.job.findMany({ where: { id: { in: jobIds } } });
  return new Map(rows.map((row) => [row.id, row]));
}

beforeAll(async () => {
  // Enough products that every test's batch has products no earlier test's unfinished job holds.
  app = await startAppTest({ productCount: 40 });
  routes = {
    batch: await import("~/routes/app.batches.$id/route"),
    generate: await import("~/routes/api.generate"),
    home: await import("~/routes/app._index"),
    job: await import("~/routes/app.jobs.$id/route"),
  };
  prisma = (await import("~/infra/db.server")).prisma;
  jobs = await import("~/models/jobs.server");
  storage = await import("~/infra/storage.server");
  queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
});

afterAll(async () => {
  await worker?.close();
  workerConnection?.disconnect();
  await queue?.obliterate({ force: true });
  await queue?.close();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  await app?.stop();
});

describe("the batch page", () => {
  test("lists every product of the batch with its status, progress, result thumbnail and error", async () => {
    // GIVEN a batch of four where the worker finished one, failed one and is generating one
    const { batchId, jobIds } = await startBatch(SHOP_A, 4);
    const [done, failed, running, queued] = jobIds;
    await finishJob(SHOP_A, done);
    await jobs.failJob(SHOP_A, failed, 0, "PRODUCT_NOT_FOUND", "This product no longer exists in your store.");
    await jobs.updateJobProgress(SHOP_A, running, 0, "generating", 40);

    // WHEN the merchant opens the batch page
    const response = await loadBatchPage(SHOP_A, batchId);

    // THEN every product is there with what happened to it
    expect(response.status).toBe(200);
    const body = (await response.json()) as { batch: Record<string, unknown>; jobs: PageJob[] };
    expect(body.batch).toMatchObject({
      id: batchId,
      mode: "white",
      counts: { total: 4, done: 1, inProgress: 2, failed: 1, cancelled: 0 },
      progress: Math.round((100 + 100 + 40 + 0) / 4),
      retryable: 1,
      cancellable: 2,
    });
    const byId = new Map(body.jobs.map((job) => [job.id, job]));
    expect([...byId.keys()].sort()).toEqual([...jobIds].sort());
    expect(byId.get(done)).toMatchObject({ status: "done", progress: 100, error: null });
    expect(byId.get(done)!.thumbnail).toMatch(/^\/files\/.+result\.png\?/);
    expect(byId.get(failed)).toMatchObject({ status: "failed", error: "This product no longer exists in your store.", thumbnail: null });
    expect(byId.get(running)).toMatchObject({ status: "generating", progress: 40, error: null, thumbnail: null });
    expect(byId.get(queued)).toMatchObject({ status: "queued", progress: 0, thumbnail: null });
    for (const job of body.jobs) expect(job.productTitle).not.toBe("");
  });

  test("an unknown batch id is a 404", async () => {
    expect((await loadBatchPage(SHOP_A, "no-such-batch")).status).toBe(404);
  });

  test("the home page lists the batch with its counts, and a job of the batch leads back to it", async () => {
    const { batchId, jobIds } = await startBatch(SHOP_A, 3);
    await finishJob(SHOP_A, jobIds[0]);
    await jobs.failJob(SHOP_A, jobIds[1], 0, "INTERNAL", "Something went wrong on our side.");

    const home = await (await call(routes.home.loader, await asShop(SHOP_A, "/app"))).json();
    const listed = home.batches.find((batch: { id: string }) => batch.id === batchId);
    expect(listed).toMatchObject({ mode: "white", counts: { total: 3, done: 1, failed: 1, inProgress: 1, cancelled: 0 } });

    const jobPage = await (await call(routes.job.loader, await asShop(SHOP_A, `/app/jobs/${jobIds[2]}`), { id: jobIds[2] })).json();
    expect(jobPage.job.batchId).toBe(batchId);
  });
});

describe("another shop", () => {
  test("cannot load, retry or cancel shop A's batch, and nothing changes", async () => {
    const { batchId, jobIds } = await startBatch(SHOP_A, 3);
    await jobs.failJob(SHOP_A, jobIds[0], 0, "INTERNAL", "Something went wrong on our side.");
    const before = await jobRows(jobIds);
    const queuedBefore = await waitingEntries(jobIds);
    expect(queuedBefore).toHaveLength(3);

    expect((await loadBatchPage(SHOP_B, batchId)).status).toBe(404);
    expect((await postBatch(SHOP_B, batchId, "retry")).status).toBe(404);
    expect((await postBatch(SHOP_B, batchId, "cancel")).status).toBe(404);

    const after = await jobRows(jobIds);
    for (const id of jobIds) {
      expect(after.get(id)).toEqual(before.get(id));
    }
    expect(after.get(jobIds[0])!.status).toBe("failed");
    expect(after.get(jobIds[1])!.status).toBe("queued");
    expect(await waitingEntries(jobIds)).toEqual(queuedBefore);

    const home = await (await call(routes.home.loader, await asShop(SHOP_B, "/app"))).json();
    expect(home.batches.map((batch: { id: string }) => batch.id)).not.toContain(batchId);
  });
});

describe("Retry failed", () => {
  test("queues again only the failed and cancelled jobs of the batch", async () => {
    // GIVEN a batch with one job of each kind: done, failed, cancelled and still queued
    const { batchId, jobIds } = await startBatch(SHOP_A, 4);
    const [done, failed, cancelled, queued] = jobIds;
    await finishJob(SHOP_A, done);
    await jobs.failJob(SHOP_A, failed, 0, "INTERNAL", "Something went wrong on our side.");
    await cancelFromJobPage(SHOP_A, cancelled);

    // WHEN the merchant retries the failed ones
    const response = await postBatch(SHOP_A, batchId, "retry");

    // THEN the failed and the cancelled job are queued again, as a new attempt each, and nothing else
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, count: 2 });
    const rows = await jobRows(jobIds);
    expect(rows.get(failed)).toMatchObject({ status: "queued", attempts: 1, error: null, errorCode: null, finishedAt: null });
    expect(rows.get(cancelled)).toMatchObject({ status: "queued", attempts: 1, finishedAt: null });
    expect(rows.get(done)).toMatchObject({ status: "done", attempts: 0 });
    expect(rows.get(queued)).toMatchObject({ status: "queued", attempts: 0 });

    expect(await waitingEntries(jobIds)).toEqual(
      [`generate-${done}-0`, `generate-${failed}-0`, `generate-${failed}-1`, `generate-${cancelled}-1`, `generate-${queued}-0`].sort(),
    );
    const entry = await queue.getJob(`generate-${cancelled}-1`);
    expect(entry?.data).toEqual({ kind: "generate", shop: SHOP_A, jobId: cancelled, attempt: 1 });

    // A second click finds nothing left to retry.
    expect(await (await postBatch(SHOP_A, batchId, "retry")).json()).toEqual({ ok: true, count: 0 });
    expect((await jobRows([failed])).get(failed)!.attempts).toBe(1);
  });
});

describe("Cancel the rest", () => {
  test("cancels only the jobs that have not finished and takes them off the queue", async () => {
    // GIVEN a batch with a done, a failed, a generating and a queued job
    const { batchId, jobIds } = await startBatch(SHOP_A, 4);
    const [done, failed, running, queued] = jobIds;
    await finishJob(SHOP_A, done);
    await jobs.failJob(SHOP_A, failed, 0, "INTERNAL", "Something went wrong on our side.");
    await jobs.updateJobProgress(SHOP_A, running, 0, "generating", 40);
    const before = await jobRows(jobIds);

    // WHEN the merchant cancels the rest
    const response = await postBatch(SHOP_A, batchId, "cancel");

    // THEN the generating and the queued job are cancelled; the finished ones are as they were
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, count: 2 });
    const rows = await jobRows(jobIds);
    expect(rows.get(running)!.status).toBe("cancelled");
    expect(rows.get(queued)!.status).toBe("cancelled");
    expect(rows.get(done)).toEqual(before.get(done));
    expect(rows.get(failed)).toEqual(before.get(failed));
    expect(await waitingEntries(jobIds)).toEqual([`generate-${done}-0`, `generate-${failed}-0`].sort());

    const page = (await (await loadBatchPage(SHOP_A, batchId)).json()) as { batch: Record<string, unknown> };
    expect(page.batch).toMatchObject({
      counts: { total: 4, done: 1, inProgress: 0, failed: 1, cancelled: 2 },
      cancellable: 0,
      retryable: 3,
    });
  });

  test("the worker leaves a cancelled job alone, and runs it once it is retried", async () => {
    // Earlier tests left entries for rows they set by hand; only this test's entries should run.
    await queue.drain(true);
    // GIVEN a batch of two, both cancelled before any worker ran
    const { batchId, jobIds } = await startBatch(SHOP_A, 2);
    const [first, second] = jobIds;
    expect(await (await postBatch(SHOP_A, batchId, "cancel")).json()).toEqual({ ok: true, count: 2 });
    expect(await waitingEntries(jobIds)).toEqual([]);
    // ... and an entry for the first one that the cancel could not take off the queue (a worker had
    // fetched it a moment before, say)
    const { enqueue } = await import("~/infra/queue.server");
    await enqueue({ kind: "generate", shop: SHOP_A, jobId: first, attempt: 0 }, `generate-${first}-0`);

    // WHEN a worker runs
    const { createStudioWorker } = await import("~/processors/worker.server");
    workerConnection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
    worker = createStudioWorker({ connection: workerConnection, prefix: app.queuePrefix, concurrency: 1 });
    await waitFor("the stale entry to be handled", async () => (await queue.getJobState(`generate-${first}-0`)) === "completed");

    // THEN the cancelled job was not processed: no progress, no output, no usage
    const skipped = await prisma.job.findFirstOrThrow({ where: { id: first, shop: SHOP_A }, include: { outputs: true } });
    expect(skipped).toMatchObject({ status: "cancelled", progress: 0, startedAt: null });
    expect(skipped.outputs).toEqual([]);
    expect(await prisma.usage.count({ where: { shop: SHOP_A } })).toBe(0);

    // WHEN the merchant retries the batch, THEN the worker makes both
    expect(await (await postBatch(SHOP_A, batchId, "retry")).json()).toEqual({ ok: true, count: 2 });
    const finished = await waitFor("the retried jobs to finish", async () => {
      const rows = await prisma.job.findMany({ where: { id: { in: jobIds }, shop: SHOP_A }, include: { outputs: true } });
      return rows.every((row) => ["done", "failed"].includes(row.status)) ? rows : null;
    });
    for (const row of finished) {
      expect(row).toMatchObject({ status: "done", progress: 100, attempts: 1, error: null });
      expect(row.outputs).toHaveLength(1);
    }
    expect(await queue.getJobState(`generate-${second}-1`)).toBe("completed");
    await worker.close();
    worker = undefined;
  }, 240_000);
});

describe("an economy batch larger than a page, waiting for Google's Batch API", () => {
  test("counts every waiting job on every page, so the page polls slowly", async () => {
    // GIVEN a batch of 60 jobs (more than the page's 50), all sent to Google's batch an hour ago
    const submittedAt = new Date(Date.now() - 3600_000);
    const batch = await prisma.batch.create({
      data: { shop: SHOP_A, mode: "white", economy: true, googleState: "pending", googleSubmittedAt: submittedAt },
    });
    await prisma.job.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        shop: SHOP_A,
        batchId: batch.id,
        productId: `gid://shopify/Product/${900_000 + i}`,
        mode: "white",
        provider: "gemini",
        status: "awaiting_batch",
        priority: i + 1,
      })),
    });
    try {
      for (const page of [1, 2]) {
        // WHEN the merchant opens either page of it
        const response = await call(routes.batch.loader, await asShop(SHOP_A, `/app/batches/${batch.id}?page=${page}`), { id: batch.id });

        // THEN Google's batch holds all 60, as many as are unfinished: the page's condition for polling every 30 s
        const body = (await response.json()) as {
          batch: { counts: { inProgress: number }; googleBatch: { count: number; submittedAt: string } | null };
          jobs: PageJob[];
        };
        expect(body.jobs).toHaveLength(page === 1 ? 50 : 10);
        expect(body.batch.googleBatch).toMatchObject({ count: 60, submittedAt: submittedAt.toISOString() });
        expect(body.batch.counts.inProgress).toBe(60);
      }
    } finally {
      await prisma.job.deleteMany({ where: { shop: SHOP_A, batchId: batch.id } });
      await prisma.batch.delete({ where: { id: batch.id } });
    }
  });
});

describe("a request without a valid session token", () => {
  test("is refused on the batch page and its actions, and changes nothing", async () => {
    const { batchId, jobIds } = await startBatch(SHOP_A, 2);
    await jobs.failJob(SHOP_A, jobIds[0], 0, "INTERNAL", "Something went wrong on our side.");
    const before = await jobRows(jobIds);

    const forged = await setUpValidRequest(
      { type: RequestType.Bearer, store: SHOP_A.replace(".myshopify.com", ""), apiKey: API_KEY, apiSecretKey: "not-the-app-secret" },
      new Request(`http://localhost:3000/app/batches/${batchId}`),
    );
    expect((await call(routes.batch.loader, forged, { id: batchId })).status).toBe(401);
    const garbage = new Request(`http://localhost:3000/app/batches/${batchId}`, { headers: { authorization: "Bearer not-a-token" } });
    expect((await call(routes.batch.loader, garbage, { id: batchId })).status).toBe(401);

    for (const intent of ["retry", "cancel"]) {
      const form = new FormData();
      form.set("intent", intent);
      const request = new Request(`http://localhost:3000/app/batches/${batchId}`, {
        method: "POST",
        body: form,
        headers: { authorization: "Bearer not-a-token" },
      });
      expect((await call(routes.batch.action, request, { id: batchId })).status).toBe(401);
    }
    expect(await jobRows(jobIds)).toEqual(before);
  });
});

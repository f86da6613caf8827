import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { Redis } from "ioredis";
import type { Worker } from "bullmq";
import { startGeminiBatchFake, type BatchAnswer } from "../fakes/gemini-batch-fake";
import { geminiAnswers, productAnswer } from "../fakes/gemini-fake";
import { asShop, call, startAppTest, type AppTest } from "../app";
import { postBulk, waitFor } from "./harness";
import type * as Db from "~/infra/db.server";
import type * as Usage from "~/models/usage.server";
import type * as BatchProcessor from "~/processors/google-batch.server";

// Economy bulk end to end below the browser: the bulk action's request, the real worker and queue, and the
// real @google/genai SDK against a Gemini stand-in that speaks the Batch API's wire format (and answers
// interactive calls on the same server, as Google's endpoint does).

// The batch flow is about queues and Google's batches, not cut-outs: the worker's segmentation model runs as
// the chaos harness's deterministic stand-in (scripts/chaos/fast-segmentation.ts), so 20 products finish in
// seconds on a busy machine.
vi.mock("onnxruntime-node", () => import("../../scripts/chaos/fast-segmentation"));

const SHOP = "shop-economy.myshopify.com";
/** Which requests Google's batch fails: the 7th with a safety block, the 13th as an invalid request. */
const FAILED_AT = new Map<number, () => BatchAnswer>([
  [6, () => ({ response: geminiAnswers.imageSafety().body })],
  [12, () => ({ error: { code: 400, message: "Request contains an invalid argument.", status: "INVALID_ARGUMENT" } })],
]);

let app: AppTest;
let fake: Awaited<ReturnType<typeof startGeminiBatchFake>>;
let prisma: typeof Db.prisma;
let usage: typeof Usage;
let batchProcessor: typeof BatchProcessor;
let worker: Worker;
let connection: Redis;

beforeAll(async () => {
  app = await startAppTest();
  app.emulator.addShop(SHOP, { seed: true, productCount: 20 });
  fake = await startGeminiBatchFake(
    async ({ request }, index) => FAILED_AT.get(index)?.() ?? { response: (await productAnswer(request)).body },
    { apiKey: "test-gemini-key", generateContent: (body) => productAnswer(body) },
  );
  Object.assign(process.env, { GEMINI_API_KEY: "test-gemini-key", GEMINI_API_BASE_URL: fake.url, GEMINI_BATCH_POLL_SECONDS: "0.2" });
  prisma = (await import("~/infra/db.server")).prisma;
  usage = await import("~/models/usage.server");
  batchProcessor = await import("~/processors/google-batch.server");
  const { createStudioWorker } = await import("~/processors/worker.server");
  connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  worker = createStudioWorker({ connection, prefix: app.queuePrefix, concurrency: 2 });
}, 600_000);

afterAll(async () => {
  await worker?.close();
  connection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  await fake?.close();
  await app?.stop();
});

beforeEach(async () => {
  await prisma.job.deleteMany({ where: { shop: SHOP } });
  await prisma.batch.deleteMany({ where: { shop: SHOP } });
  await prisma.usage.deleteMany({ where: { shop: SHOP } });
  await prisma.shopSettings.upsert({
    where: { shop: SHOP },
    // 1024 px: the price of a 1K image, and a quicker finish on a busy machine.
    create: { shop: SHOP, provider: "gemini", economyBulk: true, whiteOptions: JSON.stringify({ size: 1024 }) },
    update: { provider: "gemini", economyBulk: true, whiteOptions: JSON.stringify({ size: 1024 }) },
  });
  fake.batches.clear();
  fake.requests.length = 0;
  batchProcessor.setBatchClientFactory(undefined);
});

async function startEconomyBatch(count: number) {
  const response = await postBulk(app, SHOP, count);
  expect(response.status).toBe(200);
  const { batchId } = (await response.json()) as { batchId: string };
  const batch = await prisma.batch.findFirstOrThrow({ where: { id: batchId, shop: SHOP } });
  expect(batch.economy).toBe(true);
  return batchId;
}

async function waitForGoogleBatch(batchId: string, count: number) {
  return waitFor("every job to wait for Google's batch", async () => {
    const batch = await prisma.batch.findFirst({ where: { id: batchId, shop: SHOP } });
    const waiting = await prisma.job.count({ where: { shop: SHOP, batchId, status: "awaiting_batch" } });
    return batch?.googleBatchName && waiting === count ? batch : null;
  });
}

const creates = () => fake.requests.filter((r) => r.url.endsWith(":batchGenerateContent")).length;

describe("economy bulk through Google's Batch API", () => {
  test("20 products go to Google as one batch; 18 answers are used at the batch price and the 2 failures are retried interactively", async () => {
    const batchId = await startEconomyBatch(20);
    const batch = await waitForGoogleBatch(batchId, 20);

    // One batch of 20 requests, keyed by job; nothing made or charged yet.
    expect(creates()).toBe(1);
    const google = fake.batches.get(batch.googleBatchName!.replace("batches/", ""))!;
    expect(google.displayName).toBe(`studio-${batchId}`);
    expect(google.requests).toHaveLength(20);
    const jobIds = (await prisma.job.findMany({ where: { shop: SHOP, batchId }, select: { id: true } })).map((j) => j.id);
    expect(new Set(google.requests.map((r) => r.key.split(".")[0]))).toEqual(new Set(jobIds));
    expect(fake.interactiveCalls()).toBe(0);
    expect((await usage.getUsage(SHOP)).reserved).toBe(20);

    // The job page says what it waits for, with an expected time.
    const { loader } = await import("~/routes/app.jobs.$id/route");
    const page = await call(loader, await asShop(SHOP, `/app/jobs/${jobIds[0]}`), { id: jobIds[0] });
    const body = (await page.json()) as { job: { status: string; googleBatch: { expectedBy: string } | null } };
    expect(body.job.status).toBe("awaiting_batch");
    expect(Date.parse(body.job.googleBatch!.expectedBy) - batch.googleSubmittedAt!.getTime()).toBe(24 * 3600 * 1000);

    fake.start(batch.googleBatchName!);
    await fake.finish(batch.googleBatchName!);

    const jobs = await waitFor(
      "every job to finish",
      async () => {
        const rows = await prisma.job.findMany({ where: { shop: SHOP, batchId }, include: { outputs: true } });
        return rows.every((row) => ["done", "failed"].includes(row.status)) ? rows : null;
      },
      540_000,
    );
    expect(jobs.map((job) => [job.status, job.error])).toEqual(jobs.map(() => ["done", null]));
    expect(jobs.map((job) => job.outputs.length)).toEqual(jobs.map(() => 1));

    // Exactly one Google batch, and one interactive call for each failed answer, none for the rest.
    expect(creates()).toBe(1);
    expect(fake.interactiveCalls()).toBe(2);
    const madeBy = (job: (typeof jobs)[number]) => {
      const notes = (JSON.parse(job.outputs[0].report) as { notes: string[] }).notes.join(" | ");
      if (notes.includes("made by Google's Batch API (economy price)")) return "batch";
      return /generated interactively \(Google's batch answered (SAFETY_BLOCKED|PROVIDER_BAD_REQUEST)\)/.exec(notes)?.[1] ?? notes;
    };
    expect(Object.fromEntries(jobs.map((job) => [job.id, madeBy(job)]))).toEqual(
      Object.fromEntries(
        google.requests.map((request, i) => [
          request.key.split(".")[0],
          i === 6 ? "SAFETY_BLOCKED" : i === 12 ? "PROVIDER_BAD_REQUEST" : "batch",
        ]),
      ),
    );

    // Usage: 20 images, 18 at the batch price and 2 at the interactive one; every reservation settled.
    const used = await usage.getUsage(SHOP);
    expect(used).toMatchObject({ images: 20, paidImages: 20, reserved: 0 });
    const batchPrice = usage.imagePriceMicros("gemini", 1024, { batch: true });
    const price = usage.imagePriceMicros("gemini", 1024);
    expect(batchPrice).toBe(Math.round(price / 2));
    expect(Math.round(used.costUsd * 1_000_000)).toBe(18 * batchPrice + 2 * price);
    expect((await prisma.batch.findFirstOrThrow({ where: { id: batchId } })).googleState).toBe("answered");
    // The answers' files are gone once their outputs are saved.
    const { loadFile } = await import("~/infra/storage.server");
    for (const job of jobs) await expect(loadFile(`${SHOP}/${job.id}/answer-0-0`)).rejects.toThrow(/No stored file/);
  }, 600_000);

  test("cancelling the app's batch mid-batch cancels Google's batch and every job, and gives the reservations back", async () => {
    const batchId = await startEconomyBatch(5);
    const batch = await waitForGoogleBatch(batchId, 5);
    fake.start(batch.googleBatchName!);

    const { action } = await import("~/routes/app.batches.$id/route");
    const form = new FormData();
    form.set("intent", "cancel");
    const response = await call(action, await asShop(SHOP, `/app/batches/${batchId}`, { method: "POST", body: form }), { id: batchId });
    expect(await response.json()).toMatchObject({ ok: true, count: 5 });

    // Cancelled by the request; the batch's entry may cancel it too if it polls meanwhile (Google's cancel is idempotent).
    expect(fake.cancels().length).toBeGreaterThanOrEqual(1);
    expect(new Set(fake.cancels())).toEqual(new Set([batch.googleBatchName]));
    expect(fake.batches.get(batch.googleBatchName!.replace("batches/", ""))!.state).toBe("BATCH_STATE_CANCELLED");
    const jobs = await prisma.job.findMany({ where: { shop: SHOP, batchId } });
    expect(jobs.map((job) => job.status)).toEqual(jobs.map(() => "cancelled"));
    expect(await usage.getUsage(SHOP)).toMatchObject({ images: 0, reserved: 0, costUsd: 0 });

    // The batch's entry stops at its next poll without asking Google for anything more.
    await waitFor("the batch's entry to finish", async () => {
      const { findEntry, googleBatchQueueId } = await import("~/infra/queue.server");
      return (await findEntry(googleBatchQueueId(batchId))).state === "completed";
    });
    expect(fake.requests.filter((r) => r.url.includes(":generateContent"))).toHaveLength(0);
    expect(creates()).toBe(1);
  }, 120_000);

  test("a worker that stops after Google created the batch and before its name was saved finds it by name instead of submitting again", async () => {
    let submits = 0;
    const { createGeminiBatchClient } = await import("~/studio");
    batchProcessor.setBatchClientFactory((config) => {
      const client = createGeminiBatchClient(config);
      return {
        ...client,
        async submit(requests, options) {
          const status = await client.submit(requests, options);
          // The first submit reaches Google, then the run dies before anything is saved.
          if (++submits === 1) throw Object.assign(new Error("connection reset after the batch was created"), { code: "ECONNRESET" });
          return status;
        },
      };
    });
    const batchId = await startEconomyBatch(3);
    const batch = await waitForGoogleBatch(batchId, 3);

    expect(submits).toBe(1);
    expect(creates()).toBe(1);
    expect(fake.requests.filter((r) => r.method === "GET" && /\/batches\?/.test(r.url)).length).toBeGreaterThanOrEqual(1);
    expect(fake.batches.get(batch.googleBatchName!.replace("batches/", ""))!.displayName).toBe(`studio-${batchId}`);

    await fake.finish(batch.googleBatchName!);
    const jobs = await waitFor("every job to finish", async () => {
      const rows = await prisma.job.findMany({ where: { shop: SHOP, batchId }, include: { outputs: true } });
      return rows.every((row) => row.status === "done") ? rows : null;
    });
    expect(jobs.flatMap((job) => job.outputs)).toHaveLength(3);
    expect(creates()).toBe(1);
    expect(fake.interactiveCalls()).toBe(0);
    expect(await usage.getUsage(SHOP)).toMatchObject({ images: 3, reserved: 0 });
  }, 600_000);
});

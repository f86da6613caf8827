import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import type { Worker } from "bullmq";
import { makeProductPhoto } from "../fakes/product-photo";
import { startAppTest, type AppTest } from "../app";
import { english } from "../messages";
import { jobIdOf, postBulk, postGeneration, startHeldGemini, waitFor, type HeldGemini } from "../worker/harness";
import type * as DbModule from "~/infra/db.server";
import type * as JobsModule from "~/models/jobs.server";
import type * as UsageModule from "~/models/usage.server";

// The monthly cap as a reservation, on a paid provider (the Gemini SDK against a local Gemini stand-in)
// and a real worker: concurrent requests cannot pass it together, a bulk request is refused whole and
// up front, a job without a live reservation never calls the provider, and every reservation is given
// back or settled exactly once.

// A store of its own with enough products with photos for a 10-product bulk request.
const SHOP_A = "shop-cap.myshopify.com";

let app: AppTest;
let gemini: HeldGemini;
let prisma: typeof DbModule.prisma;
let jobs: typeof JobsModule;
let usage: typeof UsageModule;
let worker: Worker | undefined;
let connection: Redis | undefined;

beforeAll(async () => {
  app = await startAppTest();
  app.emulator.addShop(SHOP_A, { seed: true, productCount: 16 });
  gemini = await startHeldGemini(await makeProductPhoto({ width: 1024, height: 1024, background: "#fcfcfa", scale: 0.7 }));
  Object.assign(process.env, { GEMINI_API_KEY: "test-gemini-key", GEMINI_API_BASE_URL: gemini.url });
  prisma = (await import("~/infra/db.server")).prisma;
  jobs = await import("~/models/jobs.server");
  usage = await import("~/models/usage.server");
});

async function stopWorker() {
  await worker?.close();
  connection?.disconnect();
  worker = undefined;
}

afterAll(async () => {
  await stopWorker();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  await gemini?.close();
  await app?.stop();
});

afterEach(async () => {
  await stopWorker();
});

beforeEach(async () => {
  await drainQueue();
  await prisma.job.deleteMany({});
  await prisma.batch.deleteMany({});
  await prisma.usage.deleteMany({});
  await prisma.shopSettings.deleteMany({});
});

async function setCap(cap: number | null) {
  await prisma.shopSettings.upsert({ where: { shop: SHOP_A }, create: { shop: SHOP_A, monthlyCap: cap }, update: { monthlyCap: cap } });
}

async function usageRow() {
  return prisma.usage.findFirst({ where: { shop: SHOP_A } });
}

/** What the database holds for the cap must add up: the usage row's reservation is the jobs'. */
async function expectReservationsAddUp() {
  const held = await prisma.job.aggregate({ where: { shop: SHOP_A }, _sum: { reservedImages: true } });
  expect((await usageRow())?.reserved ?? 0).toBe(held._sum.reservedImages ?? 0);
}

/** Earlier tests' entries, whose rows are gone: none of them should run in the next test. */
async function drainQueue() {
  const { Queue } = await import("bullmq");
  const queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
  await queue.drain(true);
  await queue.close();
}

async function startWorker() {
  const { createStudioWorker } = await import("~/processors/worker.server");
  connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  worker = createStudioWorker({ connection, prefix: app.queuePrefix, concurrency: 2 });
}

describe("the monthly cap on a paid provider", () => {
  test("with a cap of 3, five concurrent requests and a 10-product bulk request make at most 3 images; the rest are refused with 402", async () => {
    await setCap(3);
    // One request first, so the shop's session exists before the concurrent ones race.
    const first = await postGeneration(app, SHOP_A, { provider: "gemini", options: { size: 1024 } });
    const responses = await Promise.all([
      ...Array.from({ length: 4 }, () => postGeneration(app, SHOP_A, { provider: "gemini", options: { size: 1024 } })),
      postBulk(app, SHOP_A, 10),
    ]);
    const singles = [first, ...responses.slice(0, 4)];
    const bulk = responses[4];

    const accepted = singles.filter((response) => response.status === 302);
    const refused = singles.filter((response) => response.status !== 302);
    expect(accepted).toHaveLength(3);
    for (const response of refused) {
      expect(response.status).toBe(402);
      expect(english((await response.json()).errors).form).toMatch(/cap of 3 images is reached/);
    }
    expect(bulk.status).toBe(402);
    expect((await bulk.json()).errors.form).toMatch(/(None|Only \d+) of the 10 products fit under the monthly cap/);
    expect(await prisma.batch.count()).toBe(0);
    expect(await usageRow()).toMatchObject({ reserved: 3, paidImages: 0 });
    await expectReservationsAddUp();

    await startWorker();
    const ids = accepted.map(jobIdOf);
    const finished = await waitFor(
      "the accepted jobs to finish",
      async () => {
        const rows = await prisma.job.findMany({ where: { id: { in: ids } }, include: { outputs: true } });
        return rows.every((row) => ["done", "failed"].includes(row.status)) ? rows : null;
      },
      240_000,
    );
    for (const row of finished) expect(row).toMatchObject({ status: "done", reservedImages: 0, error: null });
    expect(finished.flatMap((row) => row.outputs)).toHaveLength(3);
    expect(await prisma.output.count()).toBe(3);
    expect(gemini.calls).toBe(3);
    expect(await usageRow()).toMatchObject({
      images: 3,
      paidImages: 3,
      reserved: 0,
      costMicros: 3 * usage.imagePriceMicros("gemini", 1024),
    });
  }, 300_000);

  test("twenty reservations at once never hold more than the cap", async () => {
    const { reserveImages, TRANSACTION } = usage;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => prisma.$transaction((tx) => reserveImages(tx, SHOP_A, 1, 7), TRANSACTION)),
    );
    expect(results.filter(Boolean)).toHaveLength(7);
    expect(await usageRow()).toMatchObject({ reserved: 7 });
  });

  test("a bulk request that would pass the cap is refused up front, saying how many products fit, and stores nothing", async () => {
    await setCap(5);
    await prisma.usage.create({ data: { shop: SHOP_A, month: usage.currentMonth(), images: 2, paidImages: 2 } });
    // A session, and a local job the cap ignores, on the last product: the bulk requests below take the first
    // ones, and a product already in an unfinished job is not added to a batch again.
    const lastProduct = [...app.emulator.state.shops.get(SHOP_A)!.products.values()].filter((p) => p.mediaIds.length > 0).at(-1)!;
    await postGeneration(app, SHOP_A, { provider: "local", product: lastProduct.id });
    await prisma.shopSettings.update({ where: { shop: SHOP_A }, data: { provider: "gemini" } });
    const before = await prisma.job.count();

    const response = await postBulk(app, SHOP_A, 10);

    expect(response.status).toBe(402);
    expect((await response.json()).errors.form).toBe(
      "Only 3 of the 10 products fit under the monthly cap (2 of this month's 5 images are made or reserved, and these need 10). Select at most 3, or raise the cap in Settings.",
    );
    expect(await prisma.job.count()).toBe(before);
    expect(await prisma.batch.count()).toBe(0);
    expect(await usageRow()).toMatchObject({ reserved: 0, paidImages: 2 });

    // Three fit: the same request for three products is accepted, and holds all the room left.
    const three = await postBulk(app, SHOP_A, 3);
    expect(three.status).toBe(200);
    expect(await usageRow()).toMatchObject({ reserved: 3, paidImages: 2 });
    await expectReservationsAddUp();
  });

  test("the local provider costs nothing and is never capped", async () => {
    await setCap(0);
    const response = await postGeneration(app, SHOP_A, { provider: "local" });
    expect(response.status).toBe(302);
    expect(await prisma.job.findFirstOrThrow({ where: { id: jobIdOf(response) } })).toMatchObject({ reservedImages: 0, status: "queued" });
    expect((await postGeneration(app, SHOP_A, { provider: "gemini" })).status).toBe(402);
  });

  test("a lifestyle job reserves one image per scene", async () => {
    await setCap(5);
    for (let i = 0; i < 2; i++) {
      const response = await postGeneration(app, SHOP_A, { provider: "gemini", mode: "lifestyle", options: { count: 2 } });
      expect(await prisma.job.findFirstOrThrow({ where: { id: jobIdOf(response) } })).toMatchObject({ reservedImages: 2 });
    }
    const three = await postGeneration(app, SHOP_A, { provider: "gemini", mode: "lifestyle", options: { count: 3 } });
    expect(three.status).toBe(402);
    expect(english((await three.json()).errors).form).toBe(
      "This job needs 3 images, but the monthly cap leaves room for 1 (4 of this month's 5 images are made or reserved). Choose fewer scenes, or raise the cap in Settings.",
    );
    expect(await usageRow()).toMatchObject({ reserved: 4 });
  });

  test("cancel and failure give the reservation back once; a retry reserves again, and is refused with 402 when the cap is full", async () => {
    await setCap(2);
    const a = jobIdOf(await postGeneration(app, SHOP_A, { provider: "gemini" }));
    const b = jobIdOf(await postGeneration(app, SHOP_A, { provider: "gemini" }));
    expect(await usageRow()).toMatchObject({ reserved: 2 });

    // Cancelled twice at once, failed twice: each gives back its one image once.
    expect((await Promise.all([jobs.cancelJob(SHOP_A, a), jobs.cancelJob(SHOP_A, a)])).filter(Boolean)).toHaveLength(1);
    expect(await jobs.failJob(SHOP_A, b, 0, "INTERNAL", "Something went wrong on our side.")).toBe(true);
    expect(await jobs.failJob(SHOP_A, b, 0, "INTERNAL", "Something went wrong on our side.")).toBe(false);
    expect(await usageRow()).toMatchObject({ reserved: 0 });

    // Another job takes one image; the two retries then find room for one.
    jobIdOf(await postGeneration(app, SHOP_A, { provider: "gemini" }));
    expect(await jobs.retryJob(SHOP_A, a)).toBeTruthy();
    expect(await prisma.job.findFirstOrThrow({ where: { id: a } })).toMatchObject({ status: "queued", attempts: 1, reservedImages: 1 });

    const route = await import("~/routes/app.jobs.$id/route");
    const { asShop, call } = await import("../app");
    const form = new FormData();
    form.set("intent", "retry");
    const refused = await call(route.action, await asShop(SHOP_A, `/app/jobs/${b}`, { method: "POST", body: form }), { id: b });
    expect(refused.status).toBe(402);
    expect(english((await refused.json()).errors).form).toMatch(/cap of 2 images is reached/);
    expect(await prisma.job.findFirstOrThrow({ where: { id: b } })).toMatchObject({ status: "failed", attempts: 0, reservedImages: 0 });
    expect(await usageRow()).toMatchObject({ reserved: 2 });
    await expectReservationsAddUp();
  });

  test("a job without a live reservation never calls the paid provider", async () => {
    // GIVEN a queued Gemini job from before reservations existed (none held) and a cap already full
    await setCap(1);
    await prisma.usage.create({ data: { shop: SHOP_A, month: usage.currentMonth(), images: 1, paidImages: 1 } });
    const legacy = await prisma.job.create({
      data: {
        shop: SHOP_A,
        productId: "gid://shopify/Product/1",
        mode: "white",
        provider: "gemini",
        options: JSON.stringify({ size: 1024 }),
        sources: { create: [{ shop: SHOP_A, position: 0, origin: "product", url: "https://cdn.shopify.com/x.jpg" }] },
      },
    });
    const callsBefore = gemini.calls;

    // WHEN a worker takes it
    await startWorker();
    const { enqueue } = await import("~/infra/queue.server");
    await enqueue({ kind: "generate", shop: SHOP_A, jobId: legacy.id, attempt: 0 }, `generate-${legacy.id}-0`);
    const failed = await waitFor("the job to be refused", async () => {
      const row = await prisma.job.findFirst({ where: { id: legacy.id } });
      return row?.status === "failed" ? row : null;
    });

    // THEN it fails with the cap's code and Gemini was never asked
    expect(failed).toMatchObject({ errorCode: "CAP_REACHED", reservedImages: 0 });
    expect(gemini.calls).toBe(callsBefore);
    expect(await usageRow()).toMatchObject({ reserved: 0, paidImages: 1 });
  }, 120_000);
});

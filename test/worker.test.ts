import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import sharp from "sharp";
import type { Worker } from "bullmq";
import { readMediaStatus } from "../scripts/emulator/state.ts";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "./app";
import type * as DbModule from "~/infra/db.server";

// The whole flow below the browser: a real request queues a job in real Redis; the real worker makes the
// image with the local provider, stores it, and on approval writes it to the product's media in the
// emulator through stagedUploadsCreate + upload + productUpdate; restore removes it again.

let app: AppTest;
let worker: Worker;
let connection: Redis;
let prisma: typeof DbModule.prisma;

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

beforeAll(async () => {
  app = await startAppTest();
  prisma = (await import("~/infra/db.server")).prisma;
  const { createStudioWorker } = await import("~/processors/worker.server");
  connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  worker = createStudioWorker({ connection, prefix: app.queuePrefix, concurrency: 1 });
});

afterAll(async () => {
  await worker?.close();
  connection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  const { closePublishConnections } = await import("~/processors/publish.server");
  await closeQueue();
  closeAdminConnections();
  closePublishConnections();
  await app?.stop();
});

describe("generate, publish and restore through the queue", () => {
  test("a white background job goes from queued to done, then its output is published once and restored", async () => {
    const shopState = app.emulator.state.shops.get(SHOP_A)!;
    const product = [...shopState.products.values()].find((p) => p.mediaIds.length >= 1)!;
    const originals = [...product.mediaIds];

    const { action } = await import("~/routes/app.new/route");
    const form = new FormData();
    form.set("productId", product.id);
    form.set("mode", "white");
    form.set("options", JSON.stringify({ size: 1024 }));
    form.append("mediaIds", originals[0]);
    const response = await call(action, await asShop(SHOP_A, "/app/new", { method: "POST", body: form }));
    expect(response.status).toBe(302);
    const jobId = new URL(response.headers.get("location")!).pathname.split("/").pop()!;

    const seen = new Set<string>();
    const job = await waitFor("the job to finish", async () => {
      const row = await prisma.job.findFirst({ where: { id: jobId, shop: SHOP_A }, include: { outputs: true } });
      if (row) seen.add(row.status);
      return row && ["done", "failed"].includes(row.status) ? row : null;
    });
    expect(job.error).toBeNull();
    expect(job.status).toBe("done");
    expect(job.progress).toBe(100);
    expect(seen.has("done")).toBe(true);
    expect(job.outputs).toHaveLength(1);

    const { loadFile } = await import("~/infra/storage.server");
    const output = job.outputs[0];
    const image = sharp(await loadFile(output.storageKey));
    expect(await image.metadata()).toMatchObject({ width: 1024, height: 1024 });
    const report = JSON.parse(output.report);
    expect(report.backgroundPurity).toBe(1);
    expect(report.fillRatio).toBeGreaterThan(0.8);
    expect(report.fillRatio).toBeLessThan(0.9);

    // Publish: the job page's action queues it; the worker attaches it to the product.
    const jobRoute = await import("~/routes/app.jobs.$id/route");
    const publish = new FormData();
    publish.set("intent", "publish");
    publish.append("outputId", output.id);
    expect(
      (await call(jobRoute.action, await asShop(SHOP_A, `/app/jobs/${jobId}`, { method: "POST", body: publish }), { id: jobId })).status,
    ).toBe(200);
    const published = await waitFor("the output to be published", async () => {
      const row = await prisma.output.findFirst({ where: { id: output.id, shop: SHOP_A } });
      return row?.reviewState === "published" || row?.reviewState === "failed" ? row : null;
    });
    expect(published.reviewState).toBe("published");
    expect(published.shopifyMediaId).toBeTruthy();
    expect(product.mediaIds).toEqual([...originals, published.shopifyMediaId]);
    expect(readMediaStatus(shopState.media.get(published.shopifyMediaId!)!)).toBe("READY");

    // Restore: only the generated media goes; the merchant's originals stay.
    const restore = new FormData();
    restore.set("intent", "restore");
    restore.append("outputId", output.id);
    await call(jobRoute.action, await asShop(SHOP_A, `/app/jobs/${jobId}`, { method: "POST", body: restore }), { id: jobId });
    await waitFor("the output to be restored", async () => {
      const row = await prisma.output.findFirst({ where: { id: output.id, shop: SHOP_A } });
      return row?.reviewState === "restored";
    });
    expect(product.mediaIds).toEqual(originals);
  });

  test("with auto-publish, the job waits in uploading for its own publish job and is done once the image is on the product; a rerun of the attempt adds nothing", async () => {
    await prisma.shopSettings.upsert({
      where: { shop: SHOP_A },
      create: { shop: SHOP_A, publishMode: "auto" },
      update: { publishMode: "auto" },
    });
    const shopState = app.emulator.state.shops.get(SHOP_A)!;
    const product = [...shopState.products.values()].filter((p) => p.mediaIds.length >= 1)[1];
    const originals = [...product.mediaIds];

    // Shopify keeps the new media PROCESSING until released: the job must be seen waiting in
    // "uploading" (sampled by polling, a fast emulator let it pass between two looks on a busy machine).
    const processing = app.emulator.faults.holdProcessing(SHOP_A);
    const { action } = await import("~/routes/app.new/route");
    const form = new FormData();
    form.set("productId", product.id);
    form.set("mode", "white");
    form.set("options", JSON.stringify({ size: 1024 }));
    form.append("mediaIds", originals[0]);
    const response = await call(action, await asShop(SHOP_A, "/app/new", { method: "POST", body: form }));
    const jobId = new URL(response.headers.get("location")!).pathname.split("/").pop()!;

    const seen = new Set<string>();
    await waitFor("the job to wait in uploading", async () => {
      const row = await prisma.job.findFirst({ where: { id: jobId, shop: SHOP_A } });
      if (row) seen.add(row.status);
      return row?.status === "uploading" || row?.status === "done" || row?.status === "failed" ? row : null;
    });
    processing.release();
    const job = await waitFor("the job to finish", async () => {
      const row = await prisma.job.findFirst({ where: { id: jobId, shop: SHOP_A }, include: { outputs: true } });
      if (row) seen.add(row.status);
      return row && ["done", "failed"].includes(row.status) ? row : null;
    });
    expect(job).toMatchObject({ status: "done", progress: 100, error: null });
    expect(seen.has("uploading")).toBe(true);
    expect(job.outputs).toHaveLength(1);
    expect(job.outputs[0]).toMatchObject({ reviewState: "published", attempt: 0 });
    expect(product.mediaIds).toEqual([...originals, job.outputs[0].shopifyMediaId]);

    // The same attempt run again (a stalled entry, the reconciler) finds everything done.
    const { processGenerate } = await import("~/processors/generate.server");
    await processGenerate(SHOP_A, jobId, 0);
    expect(await prisma.job.findFirstOrThrow({ where: { id: jobId }, include: { outputs: true } })).toEqual(job);
    expect(product.mediaIds).toEqual([...originals, job.outputs[0].shopifyMediaId]);

    await prisma.shopSettings.update({ where: { shop: SHOP_A }, data: { publishMode: "review" } });
  });

  test("an attempt saved for auto-publish whose run stopped before it queued the publish is published once by a rerun", async () => {
    // GIVEN the row a run leaves when it dies between saving its outputs and queueing their publish
    const shopState = app.emulator.state.shops.get(SHOP_A)!;
    const product = [...shopState.products.values()].filter((p) => p.mediaIds.length >= 1)[2];
    const originals = [...product.mediaIds];
    const { fileKey, saveFile } = await import("~/infra/storage.server");
    const job = await prisma.job.create({
      data: {
        shop: SHOP_A,
        productId: product.id,
        productTitle: product.title,
        mode: "white",
        provider: "local",
        status: "uploading",
        progress: 92,
      },
    });
    const key = fileKey(SHOP_A, job.id, "0-0.jpg");
    await saveFile(
      key,
      await sharp({ create: { width: 1024, height: 1024, channels: 3, background: "#ffffff" } })
        .jpeg()
        .toBuffer(),
    );
    const output = await prisma.output.create({
      data: {
        shop: SHOP_A,
        jobId: job.id,
        attempt: 0,
        position: 0,
        storageKey: key,
        format: "jpeg",
        width: 1024,
        height: 1024,
        bytes: 1,
        provider: "local",
        report: JSON.stringify({
          backgroundPurity: 1,
          borderPurity: 1,
          fillRatio: 0.85,
          fillTarget: 0.85,
          centred: true,
          fidelityFlag: false,
          notes: [],
        }),
      },
    });

    // WHEN the attempt runs again
    const { processGenerate } = await import("~/processors/generate.server");
    await processGenerate(SHOP_A, job.id, 0);

    // THEN its publish is queued, the image attached once, and the job done
    const done = await waitFor("the job to be done", async () => {
      const row = await prisma.job.findFirst({ where: { id: job.id }, include: { outputs: true } });
      return row?.status === "done" ? row : null;
    });
    expect(done.outputs).toEqual([expect.objectContaining({ id: output.id, reviewState: "published" })]);
    expect(product.mediaIds).toEqual([...originals, done.outputs[0].shopifyMediaId]);
    await processGenerate(SHOP_A, job.id, 0);
    expect(product.mediaIds).toEqual([...originals, done.outputs[0].shopifyMediaId]);
  });
});

import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { collectionsOf } from "../../scripts/emulator/collections.ts";
import { asShop, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import type * as DbModule from "~/infra/db.server";
import type * as CatalogueRoute from "~/routes/app.catalogue";
import { render, type FieldErrors } from "~/i18n/index";

// The home page's catalogue route against the emulator: coverage from a bulk operation and the app's
// record of published white outputs, batches for "not yet compliant" and for a collection, and a
// resubmit that adds nothing.

let app: AppTest;
let prisma: typeof DbModule.prisma;
let route: typeof CatalogueRoute;

interface Loaded {
  coverage: { total: number; compliant: number; missing: number; noPhotos: number };
  collections: { id: string; title: string }[];
}

async function load(shop: string): Promise<Loaded> {
  const response = await call(route.loader, await asShop(shop, "/app/catalogue"));
  expect(response.status).toBe(200);
  return (await response.json()) as Loaded;
}

async function start(shop: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  const response = await call(route.action, await asShop(shop, "/app/catalogue", { method: "POST", body: form }));
  return {
    status: response.status,
    body: (await response.json()) as { batchId: string | null; added: number; alreadyRunning: number; errors?: FieldErrors },
  };
}

beforeAll(async () => {
  app = await startAppTest();
  prisma = (await import("~/infra/db.server")).prisma;
  route = await import("~/routes/app.catalogue");
});

afterAll(async () => {
  const { closeQueue } = await import("~/infra/queue.server");
  await closeQueue();
  (await import("~/models/admin.server")).closeAdminConnections();
  (await import("~/processors/publish.server")).closePublishConnections();
  await app?.stop();
});

describe("the catalogue route", () => {
  test("counts a product as compliant only when its main image is a white output the app published", async () => {
    const products = [...app.emulator.state.shops.get(SHOP_A)!.products.values()];
    const [covered, elsewhere] = products;
    // GIVEN one product whose main image is the app's published white output, and one whose published
    // white output was appended after its main image
    for (const [product, mediaId] of [
      [covered, covered.mediaIds[0]],
      [elsewhere, elsewhere.mediaIds.at(-1)!],
    ] as const) {
      const job = await prisma.job.create({
        data: { shop: SHOP_A, productId: product.id, productTitle: product.title, mode: "white", provider: "local", status: "done" },
      });
      await prisma.output.create({
        data: {
          shop: SHOP_A,
          jobId: job.id,
          position: 0,
          storageKey: "x",
          format: "png",
          width: 1,
          height: 1,
          bytes: 1,
          provider: "local",
          reviewState: "published",
          shopifyMediaId: mediaId,
        },
      });
    }
    const withPhotos = products.filter((p) => p.mediaIds.length > 0).length;
    const onlyOne = elsewhere.mediaIds.length === 1 ? 1 : 0;

    const { coverage, collections } = await load(SHOP_A);
    expect(coverage).toEqual({
      total: products.length,
      compliant: 1 + onlyOne,
      missing: withPhotos - 1 - onlyOne,
      noPhotos: products.length - withPhotos,
    });
    expect(collections.length).toBeGreaterThan(0);
    // Shop B's outputs are its own: its coverage is untouched.
    expect((await load(SHOP_B)).coverage.compliant).toBe(0);
  });

  test("starts a batch for the products not yet compliant, and a resubmit adds nothing", async () => {
    const { coverage } = await load(SHOP_A);
    const first = await start(SHOP_A, { selection: "noncompliant", mode: "white" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ added: coverage.missing, alreadyRunning: 0 });
    expect(await prisma.job.count({ where: { shop: SHOP_A, batchId: first.body.batchId } })).toBe(coverage.missing);

    const again = await start(SHOP_A, { selection: "noncompliant", mode: "white" });
    expect(again.body).toMatchObject({ batchId: first.body.batchId, added: 0, alreadyRunning: coverage.missing });
    expect(await prisma.batch.count({ where: { shop: SHOP_A } })).toBe(1);
  });

  test("a collection's batch has exactly the collection's products", async () => {
    const { collections } = await load(SHOP_B);
    const collection = collections[0];
    const members = collectionsOf(app.emulator.state.shops.get(SHOP_B)!).get(collection.id)!.productIds;
    const result = await start(SHOP_B, { selection: "collection", collectionId: collection.id, mode: "lifestyle" });
    expect(result.status).toBe(200);
    const jobs = await prisma.job.findMany({ where: { shop: SHOP_B, batchId: result.body.batchId! } });
    expect(jobs.length).toBe(result.body.added);
    expect(jobs.map((job) => job.productId).sort()).toEqual([...members].sort());
    expect(new Set(jobs.map((job) => job.mode))).toEqual(new Set(["lifestyle"]));
  });

  test("reuses a shop's coverage for ten minutes instead of a bulk operation per load, and reads it again after a new batch", async () => {
    const shop = "coverage-cache.myshopify.com";
    app.emulator.addShop(shop, { seed: true });
    const started = () => app.emulator.bulk.operations(shop).length;

    // GIVEN the home page loaded once: one bulk operation.
    const first = await load(shop);
    expect(started()).toBe(1);
    // WHEN it is loaded again, and again: the same coverage, and no bulk operation.
    expect((await load(shop)).coverage).toEqual(first.coverage);
    expect((await load(shop)).coverage).toEqual(first.coverage);
    expect(started()).toBe(1);

    // WHEN a batch is created (its own bulk read of the selection is the one operation it starts).
    const batch = await start(shop, { selection: "noncompliant", mode: "white" });
    expect(batch.status).toBe(200);
    expect(started()).toBe(2);
    // THEN the next load reads the catalogue again, once.
    await load(shop);
    await load(shop);
    expect(started()).toBe(3);

    // AND an entry older than the TTL is not served: Redis expires it.
    const { env } = await import("~/infra/env.server");
    const { Redis } = await import("ioredis");
    const probe = new Redis("redis://127.0.0.1:6379");
    const { COVERAGE_TTL_SECONDS } = await import("~/models/catalogue.server");
    const ttl = await probe.ttl(`${env.QUEUE_PREFIX}:coverage:${shop}`);
    expect(ttl).toBeGreaterThan(COVERAGE_TTL_SECONDS - 30);
    expect(ttl).toBeLessThanOrEqual(COVERAGE_TTL_SECONDS);
    await probe.del(`${env.QUEUE_PREFIX}:coverage:${shop}`);
    await load(shop);
    expect(started()).toBe(4);
    probe.disconnect();
  });

  test("reads the cached coverage again after a publish and after a restore, and counts the published image", async () => {
    const shop = "coverage-publish.myshopify.com";
    app.emulator.addShop(shop, { seed: true });
    const started = () => app.emulator.bulk.operations(shop).length;
    const { fileKey, saveFile } = await import("~/infra/storage.server");
    const { requestPublish, requestRestore } = await import("~/models/publishing.server");
    const { processPublish, processRestore } = await import("~/processors/publish.server");
    // The published image becomes the product's main image.
    await prisma.shopSettings.create({ data: { shop, mediaPosition: "first" } });
    const product = [...app.emulator.state.shops.get(shop)!.products.values()][0];
    const job = await prisma.job.create({
      data: { shop, productId: product.id, productTitle: product.title, mode: "white", provider: "local", status: "done", progress: 100 },
    });
    const key = fileKey(shop, job.id, "0.png");
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    await saveFile(key, png);
    const output = await prisma.output.create({
      data: {
        shop,
        jobId: job.id,
        position: 0,
        storageKey: key,
        format: "png",
        width: 64,
        height: 64,
        bytes: png.length,
        provider: "local",
      },
    });
    // What a worker runs for the queue entry the job page's action made.
    const runQueued = async (run: typeof processPublish) => {
      const { mediaQueueId } = await prisma.output.findUniqueOrThrow({ where: { id: output.id } });
      await run(shop, job.id, [output.id], mediaQueueId!);
    };

    const before = (await load(shop)).coverage;
    await load(shop);
    expect(started()).toBe(1);

    // WHEN the output is published: the next load reads again, once, and counts it.
    expect(await requestPublish(shop, job.id, [output.id])).toBe(1);
    await runQueued(processPublish);
    expect((await prisma.output.findUniqueOrThrow({ where: { id: output.id } })).reviewState).toBe("published");
    expect((await load(shop)).coverage).toEqual({ ...before, compliant: before.compliant + 1, missing: before.missing - 1 });
    await load(shop);
    expect(started()).toBe(2);

    // WHEN it is taken off the product again: read again, and no longer counted.
    expect(await requestRestore(shop, job.id, [output.id])).toBe(1);
    await runQueued(processRestore);
    expect((await load(shop)).coverage).toEqual(before);
    await load(shop);
    expect(started()).toBe(3);

    // WHEN a worker writes the image back as published with nothing but the database (a failed restore,
    // or any write made while Redis was away): the record changed, so the next load reads again.
    await prisma.output.update({ where: { id: output.id }, data: { reviewState: "published", removedAt: null } });
    await load(shop);
    expect(started()).toBe(4);
  });

  test("refuses an unknown selection and a malformed collection id, saying why in the merchant's language", async () => {
    const jobsBefore = await prisma.job.count({ where: { shop: SHOP_A } });
    const unknown = await start(SHOP_A, { selection: "everything" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ selection: { code: "SELECTION_REQUIRED" } });
    const malformed = await start(SHOP_A, { selection: "collection", collectionId: "42" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual({ collectionId: { code: "COLLECTION_REQUIRED" } });
    expect(render("zh-TW", malformed.body.errors!.collectionId)).toBe("請選擇一個商品系列。");
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(jobsBefore);
  });

  test("answers 502 with a message code when Shopify cannot give the catalogue", async () => {
    app.emulator.failNext(SHOP_A, { status: 503, count: 20 });
    const response = await call(route.loader, await asShop(SHOP_A, "/app/catalogue"));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ errors: { form: { code: "CATALOGUE_UNAVAILABLE" } } });
  });
});

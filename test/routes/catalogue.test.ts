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

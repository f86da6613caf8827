import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { mediaGid, takeId } from "../../scripts/emulator/state.ts";
import { postGraphql } from "../../scripts/emulator/test-client.ts";
import { AdminApiError, createAdminApi } from "./admin-api.server";
import {
  cancelBulkOperation,
  catalogQuery,
  PRODUCTS_PER_NODES_CALL,
  readBulkProducts,
  readCatalog,
  readProductsByIds,
  startBulkQuery,
  waitForBulkOperation,
  type BulkReadStats,
  type CatalogProduct,
} from "./bulk-read.server";
import { CATALOG_PRODUCTS_BY_IDS_QUERY } from "./documents";

let emu: Emulator;
const FAST_POLL = { initialMs: 20, maxMs: 200, timeoutMs: 30_000 };

beforeAll(async () => {
  emu = await startEmulator({ seedDemoShop: false });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  await emu.close();
});

function openShop(productCount?: number) {
  const shop = `read-${randomUUID().slice(0, 8)}.myshopify.com`;
  emu.addShop(shop, { seed: true, productCount });
  const token = emu.issueToken(shop);
  const api = createAdminApi({ shop, accessToken: token, log: { warn: () => {} }, retry: { baseDelayMs: 20 } });
  const record = emu.state.shops.get(shop)!;
  const calls = () => emu.state.log.filter((entry) => entry.shop === shop);
  const byId = () => [...record.products.values()].sort((a, b) => a.numericId - b.numericId);
  return { shop, token, api, record, calls, byId };
}

async function collect(products: AsyncIterable<CatalogProduct>): Promise<CatalogProduct[]> {
  const all: CatalogProduct[] = [];
  for await (const product of products) all.push(product);
  return all;
}

async function rejectionOf(promise: Promise<unknown>): Promise<AdminApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminApiError);
  return error as AdminApiError;
}

describe("reading the catalogue with a bulk operation", () => {
  it("reads a 5,000-product shop with one bulk operation and a few polls, holding only the line being read", async () => {
    const { api, calls, byId } = openShop(5000);
    const stats: BulkReadStats = { bytes: 0, lines: 0, largestBufferedChars: 0 };
    const started = Date.now();
    const products = await collect(readCatalog(api, { kind: "all" }, { poll: { initialMs: 100, maxMs: 1000 }, stats }));
    const elapsedMs = Date.now() - started;

    expect(products.map((p) => p.id)).toEqual(byId().map((p) => p.id));
    expect(products[0]).toMatchObject({
      title: "Speckled Stoneware Mug",
      status: "ACTIVE",
      images: [expect.any(Object), expect.any(Object)],
    });
    const names = calls().map((c) => c.operationName);
    expect(names.filter((n) => n === "UnfinishedBulkOperations")).toHaveLength(1);
    expect(names.filter((n) => n === "BulkOperationRunQuery")).toHaveLength(1);
    const polls = names.filter((n) => n === "BulkOperationStatus").length;
    // Pauses grow ×1.5 from 100 ms to 1 s: the polls are bounded by the time the run took, not by the catalogue.
    expect(polls).toBeLessThanOrEqual(7 + Math.ceil(elapsedMs / 1000));
    expect(calls().some((c) => c.rootFields.includes("products") || c.rootFields.includes("nodes"))).toBe(false);

    const [operation] = emu.bulk.operations(calls()[0].shop);
    expect(stats.bytes).toBe(operation.size);
    expect(stats.lines).toBe(operation.objectCount);
    expect(operation.size).toBeGreaterThan(3_000_000);
    // One 16 KB chunk plus an unfinished line, never the file.
    expect(stats.largestBufferedChars).toBeLessThan(100_000);
  });

  it("yields products while the download is still under way, so it never waits for the whole file", async () => {
    const { api, shop } = openShop(2000);
    const id = await startBulkQuery(api, catalogQuery({ kind: "all" }), { poll: FAST_POLL });
    const operation = await waitForBulkOperation(api, id, { poll: FAST_POLL });
    const hold = emu.bulk.holdNextDownload({ afterBytes: Math.floor(operation.fileSize! / 2) });
    const downloadsOf = () => emu.bulk.downloads.filter((d) => d.shop === shop);

    let read = 0;
    let finishedBeforeRelease: boolean | undefined;
    for await (const _product of readBulkProducts(api, operation)) {
      read += 1;
      if (read === 500) {
        // The emulator sends nothing past the middle until released, and logs a download when it ends.
        finishedBeforeRelease = downloadsOf().length > 0;
        hold.release();
      }
    }
    await hold.reached;
    expect(finishedBeforeRelease).toBe(false);
    expect(read).toBe(2000);
    expect(downloadsOf()).toEqual([{ shop, operationId: id, status: 200, bytes: operation.fileSize }]);
  });

  it("reads a collection's products", async () => {
    const { api, shop, record, byId } = openShop(30);
    const members = byId().filter((_, i) => i % 4 === 1);
    const collectionId = emu.addCollection(shop, { title: "Every fourth", productIds: [...members].reverse().map((p) => p.id) });
    const products = await collect(readCatalog(api, { kind: "collection", collectionId }, { poll: FAST_POLL }));
    expect(products.map((p) => p.id)).toEqual(members.map((p) => p.id));
    expect(record.products.size).toBe(30);
  });

  it("reads the products a search matches", async () => {
    const { api, byId } = openShop(27);
    const products = await collect(readCatalog(api, { kind: "search", query: "tag:gift" }, { poll: FAST_POLL }));
    const expected = byId().filter((p) => p.tags.includes("gift"));
    expect(expected.length).toBeGreaterThan(3);
    expect(products.map((p) => p.title)).toEqual(expected.map((p) => p.title));
  });

  it("reassembles each product from its media lines: processed images of the first five media, the first as featured", async () => {
    const { api, record, byId } = openShop(3);
    const [first, second] = byId();
    const template = record.media.get(first.mediaIds[0])!;
    const newMedia = (ready: boolean) => {
      const numericId = takeId(emu.state);
      const media = {
        ...template,
        id: mediaGid(numericId),
        numericId,
        alt: `extra ${numericId}`,
        readyAt: ready ? template.readyAt : Date.now() + 3_600_000,
      };
      record.media.set(media.id, media);
      return media.id;
    };
    const extras = [newMedia(true), newMedia(false), newMedia(true), newMedia(true), newMedia(true)];
    first.mediaIds.push(...extras);
    second.mediaIds.unshift(newMedia(false));

    const products = await collect(readCatalog(api, { kind: "all" }, { poll: FAST_POLL }));
    const [readFirst, readSecond, readThird] = products;
    // Seven media: the first five are read, and the one still processing is not an image to use.
    expect(readFirst.images.map((i) => i.id)).toEqual([first.mediaIds[0], first.mediaIds[1], extras[0], extras[2]]);
    expect(readFirst.featuredImage).toEqual(readFirst.images[0]);
    expect(readFirst.images[2]).toMatchObject({
      alt: expect.stringMatching(/^extra /),
      width: 1600,
      height: 1200,
      url: expect.stringContaining("/cdn/s/files/"),
    });
    expect(readSecond.featuredImage).toBeNull();
    expect(readSecond.images.map((i) => i.id)).toEqual(second.mediaIds.slice(1));
    expect(readThird.images).toHaveLength(byId()[2].mediaIds.length);
  });
});

describe("when a bulk operation does not give its result", () => {
  it("throws BULK_FAILED with Shopify's error code: transient for an internal error or a timeout", async () => {
    const { api, shop } = openShop();
    emu.bulk.failNext(shop, { errorCode: "INTERNAL_SERVER_ERROR" });
    const error = await rejectionOf(collect(readCatalog(api, { kind: "all" }, { poll: FAST_POLL })));
    expect(error).toMatchObject({ code: "BULK_FAILED", transient: true, details: { errorCode: "INTERNAL_SERVER_ERROR" } });
    expect(error.message).toBe("Reading the catalogue failed: Shopify had an internal error.");
  });

  it("throws a permanent BULK_FAILED when the app may not read products", async () => {
    const { shop } = openShop();
    const api = createAdminApi({ shop, accessToken: emu.issueToken(shop, "write_files"), log: { warn: () => {} } });
    const error = await rejectionOf(collect(readCatalog(api, { kind: "all" }, { poll: FAST_POLL })));
    expect(error).toMatchObject({ code: "BULK_FAILED", transient: false, details: { errorCode: "ACCESS_DENIED" } });
  });

  it("throws BULK_EXPIRED when the result link has expired, after looking the operation up again", async () => {
    const { api, calls } = openShop();
    const id = await startBulkQuery(api, catalogQuery({ kind: "all" }), { poll: FAST_POLL });
    const operation = await waitForBulkOperation(api, id, { poll: FAST_POLL });
    emu.bulk.expire(id);
    const before = calls().length;
    const error = await rejectionOf(collect(readBulkProducts(api, operation)));
    expect(error).toMatchObject({ code: "BULK_EXPIRED", transient: true, details: { id } });
    expect(
      calls()
        .slice(before)
        .map((c) => c.operationName),
    ).toEqual(["BulkOperationStatus"]);
  });

  it("throws BULK_CANCELED for an operation cancelled before it finished; cancelling a finished one does nothing", async () => {
    const { api, shop } = openShop(3000);
    const id = await startBulkQuery(api, catalogQuery({ kind: "all" }), { poll: FAST_POLL });
    await cancelBulkOperation(api, id);
    const error = await rejectionOf(waitForBulkOperation(api, id, { poll: FAST_POLL }));
    expect(error).toMatchObject({ code: "BULK_CANCELED", transient: true });
    await cancelBulkOperation(api, id);
    expect(emu.bulk.operations(shop).map((op) => op.status)).toEqual(["CANCELED"]);
    await expect(cancelBulkOperation(api, "gid://shopify/BulkOperation/1")).rejects.toThrow(
      "bulkOperationCancel: id: Bulk operation does not exist",
    );
  });

  it("refuses a result link off Shopify's storage host without fetching it", async () => {
    const { api } = openShop();
    const downloads = emu.bulk.downloads.length;
    const operation = {
      id: "gid://shopify/BulkOperation/1",
      url: "https://storage.example.com/result.jsonl",
      objectCount: 1,
      fileSize: 10,
    };
    const error = await rejectionOf(collect(readBulkProducts(api, operation)));
    expect(error).toMatchObject({ code: "URL_NOT_ALLOWED", transient: false });
    expect(emu.bulk.downloads.length).toBe(downloads);
  });

  it("reads nothing, and downloads nothing, when the selection matches no product", async () => {
    const { api, shop } = openShop();
    const products = await collect(readCatalog(api, { kind: "search", query: "title:no-such-product" }, { poll: FAST_POLL }));
    expect(products).toEqual([]);
    expect(emu.bulk.downloads.filter((d) => d.shop === shop)).toEqual([]);
  });

  it("refuses an empty search and an id that is not a collection's", () => {
    expect(() => catalogQuery({ kind: "search", query: "  " })).toThrow(AdminApiError);
    expect(() => catalogQuery({ kind: "collection", collectionId: "gid://shopify/Product/1" })).toThrow("Not a collection id");
  });
});

describe("starting a bulk operation while others run", () => {
  let slow: Emulator;
  beforeAll(async () => {
    // Operations stay CREATED for a minute unless cancelled, so the five places stay taken.
    slow = await startEmulator({ seedDemoShop: false, bulk: { startDelayMs: 60_000 } });
  });
  afterAll(() => slow.close());

  function openSlowShop() {
    const shop = `busy-${randomUUID().slice(0, 8)}.myshopify.com`;
    slow.addShop(shop, { seed: true, productCount: 3 });
    const token = slow.issueToken(shop);
    process.env.SHOPIFY_ADMIN_EMULATOR_URL = slow.origin;
    const api = createAdminApi({ shop, accessToken: token, log: { warn: () => {} } });
    const call = (query: string, variables?: Record<string, unknown>) => postGraphql(slow, shop, token, query, variables);
    const runs = () => slow.state.log.filter((c) => c.shop === shop && c.operationName === "BulkOperationRunQuery").length;
    return { shop, api, call, runs };
  }

  async function occupy(call: ReturnType<typeof openSlowShop>["call"], count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { body } = await call(`mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } } }`, {
        q: `{ products(query: "tag:other-${i}") { edges { node { id } } } }`,
      });
      ids.push(body.data.bulkOperationRunQuery.bulkOperation.id);
    }
    return ids;
  }

  afterAll(() => {
    process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
  });

  it("reuses an operation already running the same query instead of starting another", async () => {
    const { api, runs } = openSlowShop();
    const query = catalogQuery({ kind: "all" });
    const first = await startBulkQuery(api, query, { poll: FAST_POLL });
    const second = await startBulkQuery(api, query, { poll: FAST_POLL });
    expect(second).toBe(first);
    expect(runs()).toBe(1);
  });

  it("waits while Shopify's five places are taken, then starts as soon as one is free", async () => {
    const { api, call, runs } = openSlowShop();
    const [blocker] = await occupy(call, 5);
    const starting = startBulkQuery(api, catalogQuery({ kind: "all" }), { poll: FAST_POLL });
    // Refused at least once before a place frees up.
    while (runs() < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await call(`mutation C($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }`, { id: blocker });
    const id = await starting;
    expect(id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);
    expect(slow.bulk.operations(api.shop).find((op) => op.id === id)?.query).toBe(catalogQuery({ kind: "all" }));
  });

  it("gives up with a transient BULK_BUSY when no place frees up in time", async () => {
    const { api, call } = openSlowShop();
    await occupy(call, 5);
    const error = await rejectionOf(
      startBulkQuery(api, catalogQuery({ kind: "all" }), { poll: { initialMs: 20, maxMs: 40, timeoutMs: 200 } }),
    );
    expect(error).toMatchObject({ code: "BULK_BUSY", transient: true });
  });
});

describe("reading products by id", () => {
  it("reads 600 products in chunks that each stay within Shopify's 250 ids and 1,000 points", async () => {
    const { api, calls, byId } = openShop(600);
    const ids = byId().map((p) => p.id);
    const missing = ["gid://shopify/Product/1", "gid://shopify/Product/2"];
    const chunks = [];
    // At the Standard restore rate (100 points/s) these 8 calls wait about 25 s for points; Plus restores 1,000/s.
    emu.setThrottle({ restoreRate: 1000, bucketSize: 10_000 });
    try {
      for await (const chunk of readProductsByIds(api, [...ids, ids[0], ...missing])) chunks.push(chunk);
    } finally {
      emu.setThrottle({ restoreRate: 100, bucketSize: 2000 });
    }

    expect(chunks.flatMap((c) => c.products.map((p) => p.id))).toEqual(ids);
    expect(chunks.flatMap((c) => c.missingIds)).toEqual(missing);
    const reads = calls().filter((c) => c.operationName === "CatalogProductsByIds");
    expect(reads).toHaveLength(Math.ceil(602 / PRODUCTS_PER_NODES_CALL));
    expect(PRODUCTS_PER_NODES_CALL).toBe(76);
    expect(Math.max(...reads.map((c) => c.requestedQueryCost!))).toBeLessThanOrEqual(1000);
    expect(chunks[0].products[0]).toMatchObject({ title: "Speckled Stoneware Mug", featuredImage: { id: byId()[0].mediaIds[0] } });
  });

  it("would be refused by Shopify with one product more per call: the chunk is as large as the cost allows", async () => {
    const { api, byId } = openShop(PRODUCTS_PER_NODES_CALL + 1);
    const error = await rejectionOf(api.request(CATALOG_PRODUCTS_BY_IDS_QUERY, { ids: byId().map((p) => p.id), mediaFirst: 5 }));
    expect(error.message).toContain("exceeds the single query max cost limit (1000)");
  });
});

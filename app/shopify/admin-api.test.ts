import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { AdminApiError, assertNoUserErrors, createAdminApi, readOperation } from "./admin-api.server";
import { PRODUCT_FOR_GENERATION_QUERY, STAGED_UPLOADS_CREATE_MUTATION } from "./documents";
import { openShop } from "./test-support";
import { createPacer, pacerKeys, readPacerStates } from "./throttle.server";

let emu: Emulator;
const connections: Redis[] = [];
/** This file's own QUEUE_PREFIX on the shared Redis. */
const PREFIX = `admin-api-test-${process.pid}`;

function connectRedis(): Redis {
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 2 });
  connections.push(redis);
  return redis;
}

beforeAll(async () => {
  emu = await startEmulator({ mediaProcessingMs: 40 });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  await Promise.all(connections.map((c) => c.quit()));
  await emu.close();
});

async function rejectionOf(promise: Promise<unknown>): Promise<AdminApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminApiError);
  return error as AdminApiError;
}

describe("createAdminApi", () => {
  it("answers a query with Shopify's data", async () => {
    const { api, product } = openShop(emu);
    const answer = await api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
    expect(answer.product?.title).toBe(product.title);
    expect(answer.product?.media.nodes).toHaveLength(product.mediaIds.length);
  });

  it("retries THROTTLED answers until the request goes through", async () => {
    const warn = vi.fn();
    const { shop, product, calls, token } = openShop(emu);
    const api = createAdminApi({ shop, accessToken: token, log: { warn }, retry: { baseDelayMs: 10 } });
    emu.failNext(shop, { graphqlErrorCode: "THROTTLED", count: 3 });
    await api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
    expect(calls().map((c) => c.throttled)).toEqual([true, true, true, false]);
    expect(warn).toHaveBeenCalledWith("Admin API call failed; retrying", expect.objectContaining({ shop, code: "THROTTLED", attempt: 1 }));
  });

  it("gives up after six tries with a transient error", async () => {
    const { api, shop, product, calls } = openShop(emu);
    emu.failNext(shop, { status: 502, count: 10 });
    const error = await rejectionOf(api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id }));
    expect(error).toMatchObject({ code: "SERVER_ERROR", transient: true });
    expect(calls()).toHaveLength(6);
  });

  it("waits as long as a 429 answer's Retry-After asks", async () => {
    const { api, shop, product } = openShop(emu);
    emu.failNext(shop, { status: 429 });
    const started = Date.now();
    await api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it("does not send a mutation again after a 5xx, which may have run it", async () => {
    const { api, shop, calls } = openShop(emu);
    emu.failNext(shop, { status: 503 });
    const input = [{ resource: "IMAGE", filename: "a.png", mimeType: "image/png", httpMethod: "POST" } as const];
    const error = await rejectionOf(api.request(STAGED_UPLOADS_CREATE_MUTATION, { input }));
    expect(error).toMatchObject({ code: "SERVER_ERROR", transient: true });
    expect(calls()).toHaveLength(1);
  });

  it("reports a revoked token as a permanent UNAUTHORIZED error", async () => {
    const { api, token, product, calls } = openShop(emu);
    emu.revokeToken(token);
    const error = await rejectionOf(api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id }));
    expect(error).toMatchObject({ code: "UNAUTHORIZED", transient: false });
    expect(calls()).toHaveLength(1);
  });

  it("reports other GraphQL errors as permanent, with Shopify's message", async () => {
    const { api } = openShop(emu);
    const error = await rejectionOf(api.request(`query Broken { shop { noSuchField } }`));
    expect(error).toMatchObject({ code: "GRAPHQL_ERROR", transient: false });
    expect(error.message).toContain("noSuchField");
  });

  it("never sends the access token anywhere but the header, nor puts it in errors", async () => {
    const { api, token } = openShop(emu);
    const error = await rejectionOf(api.request(`query Broken { shop { noSuchField } }`));
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(token);
  });

  it("keeps the shop's last throttle status in Redis under {QUEUE_PREFIX}:throttle:{shop}", async () => {
    const redis = connectRedis();
    const { shop, token, product } = openShop(emu);
    const api = createAdminApi({ shop, accessToken: token, pacing: { redis, prefix: PREFIX }, log: { warn: () => {} } });
    await api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
    const saved = await redis.hgetall(`${PREFIX}:throttle:${shop}`);
    expect(Number(saved.maximum)).toBe(2000);
    expect(Number(saved.rate)).toBe(100);
    expect(Number(saved.available)).toBeGreaterThan(1900);
    expect(await redis.exists(`throttle:${shop}`)).toBe(0);
    await redis.del(...pacerKeys(PREFIX, shop));
  });

  it("paces each QUEUE_PREFIX on its own: one environment's empty bucket does not hold back another's on the same Redis", async () => {
    const redis = connectRedis();
    const shop = `pacer-prefixes-${PREFIX}.myshopify.com`;
    const [staging, production] = [`${PREFIX}-staging`, `${PREFIX}-production`].map((prefix) => ({
      prefix,
      pacer: createPacer({ redis, prefix }),
    }));
    try {
      // GIVEN staging's requests emptied the shop's bucket (as Shopify reported it to staging).
      expect(await staging.pacer.reserve(shop, "s1", 10)).toBe(0);
      await staging.pacer.record(shop, "s1", { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 50 });
      // THEN staging waits for points, and production, on the same Redis, does not.
      expect(await staging.pacer.reserve(shop, "s2", 100)).toBeGreaterThan(1000);
      expect(await production.pacer.reserve(shop, "p1", 100)).toBe(0);
      // AND production's answer does not refill staging's bucket.
      await production.pacer.record(shop, "p1", { maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 50 });
      expect(await staging.pacer.reserve(shop, "s3", 100)).toBeGreaterThan(1000);
      expect(Number(await redis.hget(pacerKeys(staging.prefix, shop)[0], "maximum"))).toBe(1000);
      expect(Number(await redis.hget(pacerKeys(production.prefix, shop)[0], "available"))).toBeGreaterThan(900);
      // AND each environment's operator sees only its own shops throttled.
      const stagingStates = await readPacerStates(redis, staging.prefix);
      const productionStates = await readPacerStates(redis, production.prefix);
      expect(stagingStates.find((state) => state.shop === shop)?.available).toBeLessThan(100);
      expect(productionStates.find((state) => state.shop === shop)?.available).toBeGreaterThan(900);
      expect([...stagingStates, ...productionStates].filter((state) => state.shop === shop)).toHaveLength(2);
    } finally {
      await redis.del(...pacerKeys(staging.prefix, shop), ...pacerKeys(production.prefix, shop));
    }
  });

  it("paces two processes sharing Redis to the restore rate, so Shopify never throttles them", async () => {
    emu.setThrottle({ restoreRate: 50, bucketSize: 100 });
    try {
      const { shop, token, product, calls } = openShop(emu);
      // Two connections stand for two worker processes; each has its own AdminApi.
      const apis = [connectRedis(), connectRedis()].map((redis) =>
        createAdminApi({ shop, accessToken: token, pacing: { redis, prefix: PREFIX }, log: { warn: () => {} } }),
      );
      await apis[0].request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
      const cost = calls()[0].requestedQueryCost!;
      const started = Date.now();
      await Promise.all(Array.from({ length: 12 }, (_, i) => apis[i % 2].request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id })));
      const seconds = (Date.now() - started) / 1000;

      expect(calls().filter((c) => c.throttled)).toEqual([]);
      // Each request needs `cost` points available; refunds make the real spend smaller, never the wait zero.
      expect(cost).toBeGreaterThan(20);
      expect(seconds).toBeGreaterThan(0.3);
      await apis[0].request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
    } finally {
      emu.setThrottle({ restoreRate: 100, bucketSize: 2000 });
    }
  });
});

describe("assertNoUserErrors", () => {
  it("names the mutation, the field and Shopify's message", () => {
    const payload = { userErrors: [{ field: ["media", "0", "alt"], message: "Alt text is too long" }] };
    expect(() => assertNoUserErrors(payload, "productUpdate")).toThrowError("productUpdate: media.0.alt: Alt text is too long");
    let thrown: unknown;
    try {
      assertNoUserErrors(payload, "productUpdate");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "USER_ERROR", transient: false, details: payload.userErrors });
  });

  it("reads mediaUserErrors too, and passes a payload without errors", () => {
    expect(() =>
      assertNoUserErrors({ mediaUserErrors: [{ field: null, message: "Media does not exist" }] }, "productReorderMedia"),
    ).toThrowError("productReorderMedia: Media does not exist");
    expect(() => assertNoUserErrors({ userErrors: [], mediaUserErrors: [] }, "x")).not.toThrow();
  });
});

describe("readOperation", () => {
  it("reads the kind and name of a document, past a leading comment", () => {
    expect(readOperation(STAGED_UPLOADS_CREATE_MUTATION)).toEqual({ kind: "mutation", name: "StagedUploadsCreate" });
    expect(() => readOperation("{ shop { name } }")).toThrow(AdminApiError);
  });
});

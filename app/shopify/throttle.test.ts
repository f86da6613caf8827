import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { startPrivateRedis, untilReady, type PrivateRedis } from "../../test/private-redis";
import { createAdminApi } from "./admin-api.server";
import { PRODUCT_FOR_GENERATION_QUERY } from "./documents";
import { openShop } from "./test-support";
import { createPacer } from "./throttle.server";
import { captureLogs } from "~/infra/logger.server";

// The Redis pacer against a Redis of the test's own that is killed and started again.

let redis: PrivateRedis;
let emu: Emulator;
const connections: Redis[] = [];
const PREFIX = "throttle-test";

function connect(): Redis {
  // As the app's pacing connection is set up (app/models/admin.server.ts).
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 1, connectTimeout: 500, commandTimeout: 1000, retryStrategy: () => 100 });
  connection.on("error", () => {});
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  emu = await startEmulator({ mediaProcessingMs: 40 });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  for (const connection of connections) connection.disconnect();
  await redis?.stop();
  await emu?.close();
});

const bucket = (currentlyAvailable: number) => ({ maximumAvailable: 1000, currentlyAvailable, restoreRate: 100 });

describe("the Redis pacer", () => {
  test("paces in-process while Redis is down, and goes back to Redis when it answers again", async () => {
    const connection = connect();
    const log = vi.fn();
    const pacer = createPacer({ redis: connection, prefix: PREFIX }, log);
    const shop = "fallback-1.myshopify.com";

    // Redis up: the state lives in Redis.
    expect(await pacer.reserve(shop, "r1", 10)).toBe(0);
    await pacer.record(shop, "r1", bucket(500));
    expect(await connection.hget(`${PREFIX}:throttle:${shop}`, "maximum")).toBe("1000");

    // Redis down: neither call throws, and the in-process bucket still makes a request wait for points.
    await redis.stop();
    await pacer.record(shop, "r2", bucket(0));
    const waitMs = await pacer.reserve(shop, "r3", 50);
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(500);
    expect(log).toHaveBeenCalledWith(expect.stringContaining("Redis is unavailable"));

    // Redis back (empty after the crash): reservations go to Redis again.
    await redis.start();
    await untilReady(connection);
    expect(await pacer.reserve(shop, "r4", 10)).toBe(0);
    await pacer.record(shop, "r4", bucket(900));
    expect(await connection.hget(`${PREFIX}:throttle:${shop}`, "available")).not.toBeNull();
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining("Redis is back"));
  });

  test("Admin API calls succeed while Redis is down", async () => {
    const connection = connect();
    await untilReady(connection);
    const { shop, token, product } = openShop(emu);
    const api = createAdminApi({ shop, accessToken: token, pacing: { redis: connection, prefix: PREFIX }, log: { warn: () => {} } });
    await redis.stop();
    try {
      const answer = await captureLogs(() => api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id }));
      expect(answer.product?.title).toBe(product.title);
    } finally {
      await redis.start();
      await untilReady(connection);
    }
  });

  test("a Redis failure while recording an answer does not throw away the answer Shopify gave", async () => {
    const connection = connect();
    await untilReady(connection);
    // Redis fails exactly between the reservation and the record of Shopify's answer.
    const evalOriginal = connection.eval.bind(connection) as (...args: unknown[]) => Promise<unknown>;
    vi.spyOn(connection, "eval").mockImplementation(((script: string, ...args: unknown[]) =>
      script.includes("ZREMRANGEBYSCORE") ? Promise.reject(new Error("Connection is closed.")) : evalOriginal(script, ...args)) as never);
    const { shop, token, product, calls } = openShop(emu);
    const api = createAdminApi({ shop, accessToken: token, pacing: { redis: connection, prefix: PREFIX }, log: { warn: () => {} } });
    const answer = await captureLogs(() => api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id }));
    expect(answer.product?.title).toBe(product.title);
    // Sent once: the successful answer was used, not retried.
    expect(calls()).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import { startPrivateRedis, type PrivateRedis } from "../private-redis";
import { captureLogs } from "~/infra/logger.server";
import type * as AppNewModule from "~/routes/app.new/route";

// Page loaders that call the Admin API keep answering while the Redis that paces those calls is down
// (killed, as a crash would), and pace through Redis again once it is back.

let app: AppTest;
let redis: PrivateRedis;
let route: typeof AppNewModule;
let path: string;

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startAppTest();
  process.env.REDIS_URL = redis.url;
  route = await import("~/routes/app.new/route");
  const product = [...app.emulator.state.shops.get(SHOP_A)!.products.values()].find((p) => p.mediaIds.length > 0)!;
  path = `/app/new?productId=${encodeURIComponent(product.id)}`;
});

afterAll(async () => {
  (await import("~/models/admin.server")).closeAdminConnections();
  await redis?.stop();
  await app?.stop();
});

async function loadPage() {
  const response = await call(route.loader, await asShop(SHOP_A, path));
  return { status: response.status, body: (await response.json()) as { product: { title: string } | null } };
}

describe("the New generation page with a product", () => {
  test("loads while Redis is down, and Redis paces it again when it is back", async () => {
    expect((await loadPage()).status).toBe(200);
    const { Redis } = await import("ioredis");
    const probe = new Redis(redis.url);
    expect(await probe.exists(`${app.queuePrefix}:throttle:${SHOP_A}`)).toBe(1);
    probe.disconnect();

    await redis.stop();
    const [during, warnings] = await captureLogs(async (lines) => [await loadPage(), [...lines]] as const);
    expect(during.status).toBe(200);
    expect(during.body.product?.title).toBeTruthy();
    expect(warnings).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining("Redis is unavailable") }));

    await redis.start();
    const after = new Redis(redis.url);
    // The app's connection reconnects by itself; pages keep loading meanwhile.
    const deadline = Date.now() + 15_000;
    await captureLogs(async () => {
      while (!(await after.exists(`${app.queuePrefix}:throttle:${SHOP_A}`)) && Date.now() < deadline)
        expect((await loadPage()).status).toBe(200);
    });
    expect(await after.exists(`${app.queuePrefix}:throttle:${SHOP_A}`)).toBe(1);
    after.disconnect();
  });
});

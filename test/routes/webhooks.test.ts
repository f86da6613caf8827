import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { ADMIN_API_VERSION } from "~/shopify/api-version";
import { API_SECRET, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import { captureLogs } from "~/infra/logger.server";
import type * as DbModule from "~/infra/db.server";

let app: AppTest;
let prisma: typeof DbModule.prisma;

function webhookRequest(topic: string, shop: string, body: object, secret = API_SECRET) {
  const raw = JSON.stringify(body);
  return new Request(`http://localhost:3000/webhooks/${topic}`, {
    method: "POST",
    body: raw,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": getHmac(raw, secret),
      "x-shopify-topic": topic,
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": ADMIN_API_VERSION,
      "x-shopify-webhook-id": crypto.randomUUID(),
      "x-shopify-event-id": crypto.randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  });
}

async function seedSession(shop: string) {
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "shpat_x", scope: "read_products" },
  });
}

beforeAll(async () => {
  app = await startAppTest();
  prisma = (await import("~/infra/db.server")).prisma;
});

afterAll(async () => {
  await app?.stop();
});

describe("webhooks", () => {
  test("a webhook with a bad HMAC is rejected and changes nothing", async () => {
    await seedSession(SHOP_A);
    const { action } = await import("~/routes/webhooks.app.uninstalled");
    const response = await call(action, webhookRequest("app/uninstalled", SHOP_A, {}, "wrong-secret"));
    expect(response.status).toBe(401);
    expect(await prisma.session.count({ where: { shop: SHOP_A } })).toBe(1);
  });

  test("app/uninstalled erases the shop's sessions, jobs and stored files, only that shop's, and is safe to receive twice", async () => {
    await seedSession(SHOP_B);
    const storage = await import("~/infra/storage.server");
    const files = { a: storage.fileKey(SHOP_A, "job-u", "out.png"), b: storage.fileKey(SHOP_B, "job-u", "out.png") };
    for (const [shop, key] of [
      [SHOP_A, files.a],
      [SHOP_B, files.b],
    ] as const) {
      await storage.saveFile(key, Buffer.from(`image of ${shop}`));
      await prisma.job.create({
        data: {
          shop,
          productId: "gid://shopify/Product/1",
          mode: "white",
          provider: "local",
          status: "done",
          outputs: { create: [{ shop, position: 0, storageKey: key, format: "png", width: 1, height: 1, bytes: 1, provider: "local" }] },
        },
      });
    }
    const { action } = await import("~/routes/webhooks.app.uninstalled");
    for (let i = 0; i < 2; i++) {
      const response = await call(action, webhookRequest("app/uninstalled", SHOP_A, { id: 1 }));
      expect(response.status).toBe(200);
    }
    expect(await prisma.session.count({ where: { shop: SHOP_A } })).toBe(0);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(0);
    await expect(storage.loadFile(files.a)).rejects.toThrow(/No stored file/);
    expect(await prisma.session.count({ where: { shop: SHOP_B } })).toBe(1);
    expect(await prisma.job.count({ where: { shop: SHOP_B } })).toBe(1);
    expect((await storage.loadFile(files.b)).toString()).toBe(`image of ${SHOP_B}`);
  });

  test("shop/redact erases the shop's jobs, outputs, settings and stored files but not another shop's", async () => {
    const storage = await import("~/infra/storage.server");
    const job = (shop: string) =>
      prisma.job.create({ data: { shop, productId: "gid://shopify/Product/1", mode: "white", provider: "local" } });
    await job(SHOP_A);
    await job(SHOP_B);
    const upload = storage.fileKey(SHOP_A, "uploads", "left-behind.png");
    await storage.saveFile(upload, Buffer.from("an upload"));
    const otherShops = await prisma.job.count({ where: { shop: SHOP_B } });
    await prisma.shopSettings.create({ data: { shop: SHOP_A } });
    const { action } = await import("~/routes/webhooks.shop.redact");
    const response = await call(action, webhookRequest("shop/redact", SHOP_A, { shop_domain: SHOP_A }));
    expect(response.status).toBe(200);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(0);
    expect(await prisma.shopSettings.count({ where: { shop: SHOP_A } })).toBe(0);
    await expect(storage.loadFile(upload)).rejects.toThrow(/No stored file/);
    expect(await prisma.job.count({ where: { shop: SHOP_B } })).toBe(otherShops);
  });

  test("the privacy topics are verified and acknowledged", async () => {
    const routes = [
      ["customers/data_request", (await import("~/routes/webhooks.customers.data_request")).action],
      ["customers/redact", (await import("~/routes/webhooks.customers.redact")).action],
    ] as const;
    for (const [topic, action] of routes) {
      const payload = { shop_id: 1, shop_domain: SHOP_A, customer: { id: 1 } };
      expect((await call(action, webhookRequest(topic, SHOP_A, payload))).status).toBe(200);
      expect((await call(action, webhookRequest(topic, SHOP_A, payload, "bad"))).status).toBe(401);
    }
  });

  test("shop/redact whose header names another shop than its payload is refused with 400 and deletes nothing", async () => {
    await prisma.job.create({ data: { shop: SHOP_B, productId: "gid://shopify/Product/2", mode: "white", provider: "local" } });
    await prisma.shopSettings.upsert({ where: { shop: SHOP_B }, create: { shop: SHOP_B }, update: {} });
    const before = {
      jobs: await prisma.job.count({ where: { shop: SHOP_B } }),
      sessions: await prisma.session.count({ where: { shop: SHOP_B } }),
    };
    const { action } = await import("~/routes/webhooks.shop.redact");
    // A genuine, signed shop/redact for shop A, replayed with shop B in the header the HMAC does not cover.
    const [response, warnings] = await captureLogs(async (lines) => {
      return [await call(action, webhookRequest("shop/redact", SHOP_B, { shop_id: 1, shop_domain: SHOP_A })), lines] as const;
    });
    expect(response.status).toBe(400);
    expect(await prisma.job.count({ where: { shop: SHOP_B } })).toBe(before.jobs);
    expect(await prisma.session.count({ where: { shop: SHOP_B } })).toBe(before.sessions);
    expect(await prisma.shopSettings.count({ where: { shop: SHOP_B } })).toBe(1);
    expect(warnings).toEqual([expect.objectContaining({ level: 40, shop: SHOP_B, msg: expect.stringContaining("refused") })]);
  });

  test("a privacy webhook without shop_domain, or naming another shop, is refused with 400", () =>
    captureLogs(async () => {
      const routes = [
        ["customers/data_request", (await import("~/routes/webhooks.customers.data_request")).action],
        ["customers/redact", (await import("~/routes/webhooks.customers.redact")).action],
        ["shop/redact", (await import("~/routes/webhooks.shop.redact")).action],
      ] as const;
      for (const [topic, action] of routes) {
        expect((await call(action, webhookRequest(topic, SHOP_A, { shop_id: 1, shop_domain: SHOP_B }))).status).toBe(400);
        expect((await call(action, webhookRequest(topic, SHOP_A, { shop_id: 1 }))).status).toBe(400);
      }
    }));

  test("a webhook body over the limit is refused with 413 before it is read", async () => {
    const { action } = await import("~/routes/webhooks.app.uninstalled");
    const request = webhookRequest("app/uninstalled", SHOP_B, { id: 1, filler: "x".repeat(1024 * 1024 + 1) });
    const response = await call(action, request);
    expect(response.status).toBe(413);
    expect(await prisma.session.count({ where: { shop: SHOP_B } })).toBe(1);
  });
});

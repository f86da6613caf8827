import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { makeProductPhoto } from "../fakes/product-photo";
import { asShop, call, startAppTest, type AppTest } from "../app";
import { startPrivateRedis, type PrivateRedis } from "../private-redis";
import { startWebhookReceiver, type WebhookReceiver } from "../webhook-receiver";
import { waitFor } from "../worker/harness";
import type * as DbModule from "~/infra/db.server";

// Automation's job is made inside the products/* webhook request. With Redis unreachable there (killed,
// as a crash would), the webhook still answers 200 at once and the job is kept in the database, queued;
// once Redis is back the reconciler queues it. No worker runs here: the job's queue entry is the proof.

const SHOP = "shop-automation-redis.myshopify.com";

let app: AppTest;
let redis: PrivateRedis;
let receiver: WebhookReceiver;
let prisma: typeof DbModule.prisma;

beforeAll(async () => {
  redis = await startPrivateRedis();
  app = await startAppTest();
  process.env.REDIS_URL = redis.url;
  app.emulator.addShop(SHOP, { seed: true, productCount: 1 });
  receiver = await startWebhookReceiver();
  app.emulator.setWebhookUrl(receiver.url);
  prisma = (await import("~/infra/db.server")).prisma;
  // Opening the app once stores the shop's offline session, which webhooks then carry.
  const home = await import("~/routes/app._index");
  const opened = await call(home.loader, await asShop(SHOP, "/app"));
  if (opened.status !== 200) throw new Error(`Opening the app answered ${opened.status}`);
  const { updateSettings } = await import("~/models/settings.server");
  await updateSettings(SHOP, { automation: true });
}, 120_000);

afterAll(async () => {
  const { closeQueue } = await import("~/infra/queue.server");
  (await import("~/models/admin.server")).closeAdminConnections();
  await closeQueue();
  await receiver?.close();
  await redis?.stop();
  await app?.stop();
});

describe("automation while Redis is down", () => {
  test("the webhook answers 200, the job waits in the database, and the reconciler queues it once Redis is back", async () => {
    await redis.stop();
    const photo = await makeProductPhoto({ width: 800, height: 800, background: "#d9d2c5", scale: 0.6 });
    const productId = await app.emulator.createProduct(SHOP, { title: "Enamel jug", photos: [{ filename: "jug.jpg", bytes: photo }] });
    const deliveries = await waitFor(
      "the product's webhooks (created, then its media READY)",
      async () => {
        await app.emulator.settleWebhooks();
        await receiver.settle();
        const sent = app.emulator.webhookDeliveries().filter((d) => JSON.parse(d.body).admin_graphql_api_id === productId);
        return sent.length >= 2 && sent.every((d) => d.status !== "error") ? sent : null;
      },
      60_000,
    );
    expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));

    const event = await prisma.automationEvent.findFirstOrThrow({ where: { shop: SHOP, productId } });
    expect(event).toMatchObject({ status: "queued" });
    const job = await prisma.job.findFirstOrThrow({ where: { id: event.jobId!, shop: SHOP } });
    expect(job.status).toBe("queued");

    await redis.start();
    const { reconcileJobs } = await import("~/processors/reconcile.server");
    const { QUEUE_NAME, generateQueueId } = await import("~/infra/queue.server");
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection, prefix: app.queuePrefix });
    queue.on("error", () => {});
    try {
      const entry = await waitFor(
        "the reconciler to queue the job",
        async () => {
          await reconcileJobs().catch(() => null);
          return queue.getJob(generateQueueId(job.id, 0));
        },
        60_000,
      );
      expect(entry.data).toMatchObject({ kind: "generate", shop: SHOP, jobId: job.id });
      // A redelivery now makes no second job.
      for (const delivery of deliveries) app.emulator.redeliverWebhook(delivery);
      await app.emulator.settleWebhooks();
      await receiver.settle();
      expect(await prisma.job.count({ where: { shop: SHOP, productId } })).toBe(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

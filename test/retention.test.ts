import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SHOP_A, SHOP_B, startAppTest, type AppTest } from "./app";
import { waitFor } from "./worker/harness";
import type * as DbModule from "~/infra/db.server";
import type * as StorageModule from "~/infra/storage.server";
import type * as RetentionModule from "~/models/retention.server";

// Settings' "keep jobs and images for N days": what goes and what stays, on a real database and disk.

let app: AppTest;
let prisma: typeof DbModule.prisma;
let storage: typeof StorageModule;
let purgeExpiredJobs: typeof RetentionModule.purgeExpiredJobs;

const NOW = new Date("2026-11-28T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

beforeAll(async () => {
  app = await startAppTest();
  prisma = (await import("~/infra/db.server")).prisma;
  storage = await import("~/infra/storage.server");
  ({ purgeExpiredJobs } = await import("~/models/retention.server"));
});

afterAll(async () => {
  await app?.stop();
});

async function job(
  shop: string,
  name: string,
  finishedDaysAgo: number,
  opts: { upload?: string; published?: boolean; status?: string } = {},
) {
  const outputKey = storage.fileKey(shop, name, "out.jpg");
  await storage.saveFile(outputKey, Buffer.from("output"));
  if (opts.upload) await storage.saveFile(opts.upload, Buffer.from("upload"));
  return prisma.job.create({
    data: {
      shop,
      productId: "gid://shopify/Product/1",
      mode: "white",
      provider: "local",
      status: opts.status ?? "done",
      finishedAt: daysAgo(finishedDaysAgo),
      sources: {
        create: [
          opts.upload
            ? { shop, position: 0, origin: "upload", storageKey: opts.upload }
            : { shop, position: 0, origin: "product", url: "https://cdn.shopify.com/a.jpg" },
        ],
      },
      outputs: {
        create: [
          {
            shop,
            position: 0,
            storageKey: outputKey,
            format: "jpeg",
            width: 10,
            height: 10,
            bytes: 6,
            provider: "local",
            ...(opts.published
              ? { reviewState: "published", shopifyMediaId: "gid://shopify/MediaImage/9", publishedAt: daysAgo(finishedDaysAgo) }
              : {}),
          },
        ],
      },
    },
  });
}

const onDisk = (key: string) => existsSync(path.join(app.storageDir, key));

describe("retention", () => {
  test("removes finished jobs past the shop's retention with their files, and keeps everything else", async () => {
    await prisma.shopSettings.create({ data: { shop: SHOP_A, retentionDays: 30 } });
    await prisma.shopSettings.create({ data: { shop: SHOP_B, retentionDays: 365 } });
    const sharedUpload = storage.fileKey(SHOP_A, "uploads", "shared.jpg");
    const ownUpload = storage.fileKey(SHOP_A, "uploads", "own.jpg");

    const expired = await job(SHOP_A, "expired", 31, { upload: ownUpload });
    const sharesUpload = await job(SHOP_A, "old-shared", 40, { upload: sharedUpload });
    const recentSharing = await job(SHOP_A, "recent-shared", 2, { upload: sharedUpload });
    const published = await job(SHOP_A, "published", 200, { published: true });
    const recent = await job(SHOP_A, "recent", 29);
    const running = await job(SHOP_A, "running", 60, { status: "generating" });
    const otherShop = await job(SHOP_B, "b-old", 100);

    const result = await purgeExpiredJobs(NOW);

    const left = new Set((await prisma.job.findMany({ select: { id: true } })).map((j) => j.id));
    expect([...left].sort()).toEqual([recentSharing.id, published.id, recent.id, running.id, otherShop.id].sort());
    expect(left.has(expired.id) || left.has(sharesUpload.id)).toBe(false);
    expect(result).toEqual({ jobs: 2, files: 3 });

    expect(onDisk(`${SHOP_A}/expired/out.jpg`)).toBe(false);
    expect(onDisk(ownUpload)).toBe(false);
    expect(onDisk(`${SHOP_A}/old-shared/out.jpg`)).toBe(false);
    // Still used by the recent job made from the same upload
    expect(onDisk(sharedUpload)).toBe(true);
    // An image on a product keeps its job, so it can still be removed from the app
    expect(onDisk(`${SHOP_A}/published/out.jpg`)).toBe(true);
    expect(onDisk(`${SHOP_B}/b-old/out.jpg`)).toBe(true);
    expect(await prisma.output.count({ where: { jobId: { in: [expired.id, sharesUpload.id] } } })).toBe(0);

    // Running it again finds nothing more
    expect(await purgeExpiredJobs(NOW)).toEqual({ jobs: 0, files: 0 });
  });

  test("runs from its job scheduler on a maintenance worker, as soon as the schedule is set", async () => {
    const { Redis } = await import("ioredis");
    const { Queue } = await import("bullmq");
    const { ensureSchedulers, closeQueue } = await import("~/infra/queue.server");
    const { createMaintenanceWorker } = await import("~/processors/worker.server");
    const expired = await prisma.job.create({
      data: {
        shop: SHOP_A,
        productId: "gid://shopify/Product/1",
        mode: "white",
        provider: "local",
        status: "done",
        finishedAt: new Date(Date.now() - 400 * 86_400_000),
      },
    });
    const connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
    const worker = createMaintenanceWorker({ connection, prefix: app.queuePrefix });
    try {
      await ensureSchedulers({ reconcileMs: 3_600_000, retentionMs: 3_600_000, sweepMs: 86_400_000 });
      await waitFor("the scheduled purge", async () => (await prisma.job.count({ where: { id: expired.id } })) === 0, 20_000);
      expect(await prisma.job.findFirst({ where: { id: expired.id, shop: SHOP_A } })).toBeNull();
    } finally {
      await worker.close();
      const maintenance = new Queue("studio-maintenance", { connection, prefix: app.queuePrefix });
      await maintenance.obliterate({ force: true });
      await maintenance.close();
      connection.disconnect();
      await closeQueue();
    }
  });
});

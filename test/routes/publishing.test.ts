import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { createUploadedMedia } from "../../scripts/emulator/media.ts";
import { readMediaStatus, type ProductRecord, type ShopRecord } from "../../scripts/emulator/state.ts";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import { startAdminProxy, type AdminProxy } from "../fakes/admin-proxy";
import type * as DbModule from "~/infra/db.server";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";
import type * as PublishingModule from "~/models/publishing.server";

// Publishing and restoring exactly once, through the job page's actions, the real queue in Redis and two
// workers (concurrency 2 each, as two processes would run), against the Admin API emulator behind a
// proxy that can lose answers. What counts is the emulator's own record of the product's media.

let app: AppTest;
let proxy: AdminProxy;
let prisma: typeof DbModule.prisma;
let route: typeof AppJobsIdModule;
let publishing: typeof PublishingModule;
let queue: Queue;
const workers: Worker[] = [];
const connections: Redis[] = [];
let shopState: ShopRecord;

beforeAll(async () => {
  app = await startAppTest();
  proxy = await startAdminProxy(app.emulator.origin);
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = proxy.origin;
  prisma = (await import("~/infra/db.server")).prisma;
  route = await import("~/routes/app.jobs.$id/route");
  publishing = await import("~/models/publishing.server");
  const { createStudioWorker } = await import("~/processors/worker.server");
  for (let i = 0; i < 2; i++) {
    const connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
    connections.push(connection);
    workers.push(createStudioWorker({ connection, prefix: app.queuePrefix, concurrency: 2 }));
  }
  queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
  shopState = app.emulator.state.shops.get(SHOP_A)!;
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  connections.forEach((c) => c.disconnect());
  await queue?.obliterate({ force: true });
  await queue?.close();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  const { closePublishConnections } = await import("~/processors/publish.server");
  await closeQueue();
  closeAdminConnections();
  closePublishConnections();
  await proxy?.close();
  await app?.stop();
});

let productIndex = 0;
let product: ProductRecord;
let originals: string[];

beforeEach(() => {
  // Each test starts from the media a product has now; the next test takes the next product.
  const products = [...shopState.products.values()];
  product = products[productIndex++ % products.length];
  originals = [...product.mediaIds];
});

async function jobWithOutputs(count: number, status = "done") {
  const { fileKey, saveFile } = await import("~/infra/storage.server");
  const job = await prisma.job.create({
    data: { shop: SHOP_A, productId: product.id, productTitle: product.title, mode: "white", provider: "local", status, progress: 100 },
  });
  for (let position = 0; position < count; position++) {
    const key = fileKey(SHOP_A, job.id, `${position}.png`);
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40 * position, g: 200, b: 90 } } })
      .png()
      .toBuffer();
    await saveFile(key, png);
    await prisma.output.create({
      data: {
        shop: SHOP_A,
        jobId: job.id,
        position,
        storageKey: key,
        format: "png",
        width: 64,
        height: 64,
        bytes: png.length,
        provider: "local",
      },
    });
  }
  return prisma.job.findUniqueOrThrow({ where: { id: job.id }, include: { outputs: { orderBy: { position: "asc" } } } });
}

async function act(jobId: string, intent: string, outputIds: string[] = []) {
  const form = new FormData();
  form.set("intent", intent);
  for (const id of outputIds) form.append("outputId", id);
  const response = await call(route.action, await asShop(SHOP_A, `/app/jobs/${jobId}`, { method: "POST", body: form }), { id: jobId });
  return { status: response.status, body: (await response.json()) as { ok?: boolean; errors?: Record<string, string> } };
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

const output = (id: string) => prisma.output.findFirstOrThrow({ where: { id, shop: SHOP_A } });
const settled = (id: string, states: string[]) =>
  waitFor(`output ${id} to be ${states.join(" or ")}`, async () => {
    const row = await output(id);
    return states.includes(row.reviewState) ? row : null;
  });
/** The product's media that carry an output's marker, by the file names the emulator keeps. */
const markedMedia = (outputId: string) => product.mediaIds.filter((id) => shopState.media.get(id)?.filename.includes(`-${outputId}`));
const sent = (operationName: string) => app.emulator.state.log.filter((e) => e.shop === SHOP_A && e.operationName === operationName).length;

async function queueJobs(kind: string, outputId: string) {
  const jobs = await queue.getJobs(["waiting", "active", "delayed", "prioritized", "completed", "failed"]);
  return jobs.filter((j) => j.name === kind && j.data.outputIds.includes(outputId));
}

/** A photo the merchant adds in the admin at the same moment, with the same alt text as ours. */
async function merchantAddsPhoto(name: string) {
  const bytes = await sharp({ create: { width: 80, height: 80, channels: 3, background: "#345" } })
    .jpeg()
    .toBuffer();
  const media = await createUploadedMedia(app.emulator.state, {
    filename: name,
    alt: "Speckled mug",
    originalSource: `https://merchant.example/${name}`,
    bytes,
    processingMs: 0,
  });
  shopState.media.set(media.id, media);
  product.mediaIds.push(media.id);
  return media.id;
}

describe("publishing from the job page", () => {
  test("two Publish clicks at once for one output queue one job and attach one media", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;

    const answers = await Promise.all([act(job.id, "publish", [out.id]), act(job.id, "publish", [out.id])]);

    expect(answers.map((a) => a.body.ok).sort()).toEqual([false, true]);
    const published = await settled(out.id, ["published", "failed"]);
    expect(published.reviewState).toBe("published");
    expect(await queueJobs("publish", out.id)).toHaveLength(1);
    expect(product.mediaIds).toEqual([...originals, published.shopifyMediaId]);
    expect(markedMedia(out.id)).toEqual([published.shopifyMediaId]);
    expect(readMediaStatus(shopState.media.get(published.shopifyMediaId!)!)).toBe("READY");
  });

  test("a retry after productUpdate ran and its answer was lost attaches nothing new and adopts the media", async () => {
    const job = await jobWithOutputs(2);
    const ids = job.outputs.map((o) => o.id);
    const attachesBefore = sent("ProductAttachMedia");
    // The mutation runs on Shopify, and the worker's job is aborted before its answer arrives (as at a
    // shutdown deadline): nothing of the answer is read, and BullMQ runs the job again.
    proxy.afterRunning("ProductAttachMedia", () => workers.forEach((w) => w.cancelAllJobs("shutdown deadline")));

    expect((await act(job.id, "publish", ids)).body.ok).toBe(true);
    const rows = await Promise.all(ids.map((id) => settled(id, ["published", "failed"])));

    expect(rows.map((r) => r.reviewState)).toEqual(["published", "published"]);
    expect(sent("ProductAttachMedia") - attachesBefore).toBe(1);
    expect(product.mediaIds).toEqual([...originals, ...rows.map((r) => r.shopifyMediaId)]);
    ids.forEach((id, i) => expect(markedMedia(id)).toEqual([rows[i].shopifyMediaId]));
    const [queued] = await queueJobs("publish", ids[0]);
    expect(queued.attemptsStarted).toBe(2);
  });

  test("a merchant adding and deleting media during a publish does not get theirs recorded, and a later Restore leaves theirs alone", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    const merchant: string[] = [];
    // While productUpdate runs the merchant adds two photos and deletes an original; the answer is lost,
    // so the app must find its media among theirs (the count is what it was plus one, by coincidence).
    proxy.afterRunning("ProductAttachMedia", async () => {
      merchant.push(await merchantAddsPhoto("IMG_2041.jpg"), await merchantAddsPhoto("IMG_2042.jpg"));
      product.mediaIds = product.mediaIds.filter((id) => id !== originals[0]);
    });
    proxy.loseAnswers("ProductAttachMedia");

    expect((await act(job.id, "publish", [out.id])).body.ok).toBe(true);
    const published = await settled(out.id, ["published", "failed"]);

    expect(published.reviewState).toBe("published");
    expect(markedMedia(out.id)).toEqual([published.shopifyMediaId]);
    expect(merchant).not.toContain(published.shopifyMediaId);
    const after = [...originals.slice(1), published.shopifyMediaId, ...merchant];
    expect(product.mediaIds).toEqual(after);

    expect((await act(job.id, "restore", [out.id])).body.ok).toBe(true);
    const restored = await settled(out.id, ["restored", "published"]);
    expect(restored).toMatchObject({ reviewState: "restored", shopifyMediaId: null });
    expect(product.mediaIds).toEqual([...originals.slice(1), ...merchant]);
  });

  test("two Restore clicks at once remove the media once", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    await act(job.id, "publish", [out.id]);
    await settled(out.id, ["published"]);
    const removalsBefore = sent("FileUpdate");

    const answers = await Promise.all([act(job.id, "restore", [out.id]), act(job.id, "restore", [out.id])]);

    expect(answers.map((a) => a.body.ok).sort()).toEqual([false, true]);
    await settled(out.id, ["restored"]);
    expect(await queueJobs("restore", out.id)).toHaveLength(1);
    expect(sent("FileUpdate") - removalsBefore).toBe(1);
    expect(product.mediaIds).toEqual(originals);
  });

  test("a restored output can be published again and gets a new media, its file name suffixed by Shopify", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    await act(job.id, "publish", [out.id]);
    const first = await settled(out.id, ["published"]);
    await act(job.id, "restore", [out.id]);
    await settled(out.id, ["restored"]);

    expect((await act(job.id, "publish", [out.id])).body.ok).toBe(true);
    const again = await settled(out.id, ["published", "failed"]);

    expect(again.reviewState).toBe("published");
    expect(again.shopifyMediaId).not.toBe(first.shopifyMediaId);
    expect(product.mediaIds).toEqual([...originals, again.shopifyMediaId]);
    // The first file stays in the store's Files, so the second of that name got Shopify's _<uuid>.
    expect(shopState.media.get(again.shopifyMediaId!)!.filename).toMatch(new RegExp(`-${out.id}_[0-9a-f-]{36}\\.png$`));
    expect((await queueJobs("publish", out.id)).map((j) => j.id).sort()).toEqual([`publish-${out.id}-1`, `publish-${out.id}-3`]);
  });

  test("only a pending, failed or restored output can be published, only a published one restored, only a pending one rejected", async () => {
    const job = await jobWithOutputs(2);
    const [a, b] = job.outputs;
    expect((await act(job.id, "restore", [a.id])).body.ok).toBe(false);
    expect((await act(job.id, "reject", [b.id])).body.ok).toBe(true);
    expect((await act(job.id, "publish", [b.id])).body.ok).toBe(false);
    expect((await act(job.id, "publish", [a.id])).body.ok).toBe(true);
    expect((await act(job.id, "reject", [a.id])).body.ok).toBe(false);
    await settled(a.id, ["published"]);
    expect((await act(job.id, "publish", [a.id])).body.ok).toBe(false);
    expect((await output(b.id)).reviewState).toBe("rejected");
    expect(product.mediaIds).toHaveLength(originals.length + 1);
  });

  test("a publish Shopify cannot complete fails the output with its reason, and Publish again works", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    const { saveFile } = await import("~/infra/storage.server");
    await saveFile(out.storageKey, Buffer.from("not an image"));

    await act(job.id, "publish", [out.id]);
    const failed = await settled(out.id, ["failed"]);
    expect(failed).toMatchObject({ errorCode: "MEDIA_FAILED", shopifyMediaId: null });
    expect(failed.error).toMatch(/could not be processed|not supported/i);
    expect(product.mediaIds).toEqual(originals);
    const page = await (await call(route.loader, await asShop(SHOP_A, `/app/jobs/${job.id}`), { id: job.id })).json();
    expect(page.outputs[0]).toMatchObject({ reviewState: "failed", errorCode: "MEDIA_FAILED", stuck: false });

    await saveFile(
      out.storageKey,
      await sharp({ create: { width: 64, height: 64, channels: 3, background: "#fff" } })
        .png()
        .toBuffer(),
    );
    expect((await act(job.id, "publish", [out.id])).body.ok).toBe(true);
    expect(await settled(out.id, ["published", "failed"])).toMatchObject({ reviewState: "published", errorCode: null, error: null });
    expect(markedMedia(out.id)).toHaveLength(1);
  });
});

describe("auto-publish, its own queued job", () => {
  test("the job row stays uploading while the auto-publish runs and is done when it ends, published or failed", async () => {
    const job = await jobWithOutputs(2, "uploading");
    const [good, bad] = job.outputs;
    const { saveFile } = await import("~/infra/storage.server");
    await saveFile(bad.storageKey, Buffer.from("not an image"));

    expect(await publishing.requestPublish(SHOP_A, job.id, [good.id, bad.id], { auto: true })).toBe(2);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("uploading");
    const done = await waitFor("the job row to be done", async () => {
      const row = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      return row.status === "done" ? row : null;
    });

    expect(done.progress).toBe(100);
    expect((await output(good.id)).reviewState).toBe("published");
    expect((await output(bad.id)).reviewState).toBe("failed");
    expect(markedMedia(good.id)).toHaveLength(1);
    // A generate retry asking again publishes nothing twice and leaves the row done.
    expect(await publishing.requestPublish(SHOP_A, job.id, [good.id, bad.id], { auto: true })).toBe(0);
    expect(markedMedia(good.id)).toHaveLength(1);
  });

  test("auto-publish takes only outputs nobody decided on, and a row with nothing left to publish is done at once", async () => {
    const job = await jobWithOutputs(1, "uploading");
    const [out] = job.outputs;
    await prisma.output.update({ where: { id: out.id }, data: { reviewState: "restored" } });

    expect(await publishing.requestPublish(SHOP_A, job.id, [out.id], { auto: true })).toBe(0);

    expect((await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("done");
    expect((await output(out.id)).reviewState).toBe("restored");
    expect(product.mediaIds).toEqual(originals);
  });
});

describe("outputs stuck publishing or restoring", () => {
  const later = () => new Date(Date.now() + 2 * 60_000);

  test("an output whose queue entry Redis lost is queued again under a new attempt and published once", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    await Promise.all(workers.map((w) => w.pause()));
    try {
      await act(job.id, "publish", [out.id]);
      expect(await queue.remove(`publish-${out.id}-1`)).toBe(1);
      expect(await publishing.reconcilePublishing({ shop: SHOP_A, now: new Date() })).toEqual({ requeued: 0, settled: 0 });
      expect(await publishing.reconcilePublishing({ shop: SHOP_A, now: later() })).toEqual({ requeued: 1, settled: 0 });
      // A second sweep finds the new entry waiting and leaves it.
      expect(await publishing.reconcilePublishing({ shop: SHOP_A, now: later() })).toEqual({ requeued: 0, settled: 0 });
    } finally {
      await Promise.all(workers.map((w) => w.resume()));
    }

    const published = await settled(out.id, ["published", "failed"]);
    expect(published).toMatchObject({ reviewState: "published", mediaQueueId: `publish-${out.id}-2` });
    expect(markedMedia(out.id)).toEqual([published.shopifyMediaId]);
  });

  test("an output left attaching by a job that ended is settled by its marker: published when its media is on the product", async () => {
    const job = await jobWithOutputs(2);
    const [kept, lost] = job.outputs;
    await act(job.id, "publish", [kept.id, lost.id]);
    const rows = await Promise.all([kept, lost].map((o) => settled(o.id, ["published"])));
    // As if the job's last database write had been lost; and the merchant deleted one of the images since.
    await prisma.output.updateMany({ where: { jobId: job.id }, data: { reviewState: "attaching", shopifyMediaId: null } });
    product.mediaIds = product.mediaIds.filter((id) => id !== rows[1].shopifyMediaId);

    expect(await publishing.reconcilePublishing({ shop: SHOP_A, now: later() })).toEqual({ requeued: 0, settled: 2 });

    expect(await output(kept.id)).toMatchObject({ reviewState: "published", shopifyMediaId: rows[0].shopifyMediaId });
    expect(await output(lost.id)).toMatchObject({ reviewState: "failed", errorCode: "PUBLISH_INTERRUPTED", shopifyMediaId: null });
    // Publish again (the Retry) attaches the missing one only.
    await act(job.id, "publish", [lost.id]);
    await settled(lost.id, ["published"]);
    expect(markedMedia(kept.id)).toHaveLength(1);
    expect(markedMedia(lost.id)).toHaveLength(1);
  });

  test("an output left restoring by a job that ended is restored when no media of it is left", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    await act(job.id, "publish", [out.id]);
    await settled(out.id, ["published"]);
    await act(job.id, "restore", [out.id]);
    await settled(out.id, ["restored"]);
    await prisma.output.update({ where: { id: out.id }, data: { reviewState: "restoring" } });

    expect(await publishing.reconcilePublishing({ shop: SHOP_A, now: later() })).toEqual({ requeued: 0, settled: 1 });
    expect(await output(out.id)).toMatchObject({ reviewState: "restored" });
  });

  test("the job page shows a Check again button on an output stuck publishing, and the button queues it again", async () => {
    const job = await jobWithOutputs(1);
    const [out] = job.outputs;
    // Claimed, but its queue entry never made it (Redis flushed right after).
    await prisma.output.update({
      where: { id: out.id },
      data: {
        reviewState: "publishing",
        mediaAttempt: 1,
        mediaQueueId: `publish-${out.id}-1`,
        updatedAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    const page = await (await call(route.loader, await asShop(SHOP_A, `/app/jobs/${job.id}`), { id: job.id })).json();
    expect(page.outputs[0]).toMatchObject({ reviewState: "publishing", stuck: true });

    expect((await act(job.id, "recheck")).body.ok).toBe(true);

    expect(await settled(out.id, ["published", "failed"])).toMatchObject({ reviewState: "published", mediaQueueId: `publish-${out.id}-2` });
    expect(markedMedia(out.id)).toHaveLength(1);
  });
});

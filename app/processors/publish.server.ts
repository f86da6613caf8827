import { Redis } from "ioredis";
import { prisma } from "~/infra/db.server";
import { env } from "~/infra/env.server";
import { getSettings } from "~/models/settings.server";
import { finishUploadingJob } from "~/models/publishing.server";
import { renderAltText, shopLanguage } from "~/shopify/alt-text";
import { loadFile } from "~/infra/storage.server";
import { publishImages, restoreImages } from "~/shopify/publish.server";
import { adminApiForShop } from "~/models/admin.server";
import { readShopPrimaryLocale } from "~/shopify/shop-locale.server";
import { PermanentJobError } from "./errors.server";
import { createLock, DEFAULT_LOCK_TIMINGS } from "./product-lock.server";

const MIME: Record<string, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

// Every write to one product's media, by any worker, holds that product's lock.
let lockConnection: Redis | undefined;

function productLock(shop: string, productId: string, signal?: AbortSignal) {
  if (!lockConnection) {
    lockConnection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
    // Failures surface through the lock's commands; without a listener ioredis would print every reconnect.
    lockConnection.on("error", () => {});
  }
  return createLock(lockConnection, `${env.QUEUE_PREFIX}:product-media:${shop}:${productId}`, DEFAULT_LOCK_TIMINGS, signal);
}

export function closePublishConnections() {
  lockConnection?.disconnect();
  lockConnection = undefined;
}

const IN_FLIGHT = ["publishing", "attaching"];

/**
 * The publish queue job `queueId`: attaches the outputs it owns to the product, exactly once. Before
 * productUpdate is sent the outputs are "attaching" (recorded, with attachSentAt); from then on every
 * attempt searches the product for their markers first and adopts what is there. All media ids are
 * saved in one transaction, and the final states in another.
 */
export async function processPublish(shop: string, jobId: string, outputIds: string[], queueId: string, signal?: AbortSignal) {
  const job = await prisma.job.findFirst({ where: { id: jobId, shop }, select: { productId: true, productTitle: true, mode: true } });
  if (!job) throw new PermanentJobError("JOB_NOT_FOUND", "This job no longer exists.");
  const owned = { shop, jobId, mediaQueueId: queueId };
  const outputs = await prisma.output.findMany({
    where: { ...owned, id: { in: outputIds }, reviewState: { in: IN_FLIGHT } },
    orderBy: { position: "asc" },
  });
  if (outputs.length === 0) return finishUploadingJob(shop, jobId);
  const settings = await getSettings(shop);
  const api = await adminApiForShop(shop);
  const language = shopLanguage(await readShopPrimaryLocale(api));
  const alt = renderAltText(settings.altTextTemplate, { title: job.productTitle, mode: job.mode, language });
  const images = await Promise.all(
    outputs.map(async (output) => ({
      key: output.id,
      data: await loadFile(output.storageKey),
      name: `${job.productTitle || "product"}-${output.position + 1}`,
      mimeType: MIME[output.format] ?? "image/jpeg",
      alt,
    })),
  );

  const { results } = await publishImages(api, {
    productId: job.productId,
    images,
    position: settings.mediaPosition === "first" ? "first" : "append",
    search: outputs.some((output) => output.attachSentAt !== null),
    pollTimeoutMs: env.MEDIA_POLL_TIMEOUT_SECONDS * 1000,
    lock: productLock(shop, job.productId, signal),
    signal,
    beforeAttach: async (keys) => {
      const { count } = await prisma.output.updateMany({
        where: { ...owned, id: { in: keys }, reviewState: { in: IN_FLIGHT } },
        data: { reviewState: "attaching", attachSentAt: new Date() },
      });
      // Another job owns them now (the reconciler re-queued them): this one must not attach.
      if (count !== keys.length) throw new PermanentJobError("SUPERSEDED", "A newer request is publishing these images.");
    },
    onMediaIds: async (mediaIdByKey) => {
      await prisma.$transaction(
        [...mediaIdByKey].map(([id, mediaId]) =>
          prisma.output.updateMany({
            where: { ...owned, id, reviewState: { in: IN_FLIGHT } },
            data: { reviewState: "attaching", shopifyMediaId: mediaId },
          }),
        ),
      );
    },
  });

  const now = new Date();
  await prisma.$transaction(
    results.map((result) =>
      prisma.output.updateMany({
        where: { ...owned, id: result.key, reviewState: { in: IN_FLIGHT } },
        data:
          result.status === "READY"
            ? { reviewState: "published", publishedAt: now, shopifyMediaId: result.mediaId, removedAt: null, errorCode: null, error: null }
            : {
                reviewState: "failed",
                shopifyMediaId: null,
                errorCode: "MEDIA_FAILED",
                error: result.error ?? "Shopify could not process the image.",
              },
      }),
    ),
  );
  await finishUploadingJob(shop, jobId);
  const failed = results.filter((r) => r.status !== "READY");
  if (failed.length > 0) {
    throw new PermanentJobError(
      "MEDIA_FAILED",
      `Shopify could not process ${failed.length} image(s): ${failed.map((f) => f.error ?? "processing failed").join("; ")}`,
    );
  }
}

/** The restore queue job `queueId`: removes the media carrying its outputs' markers from the product, and nothing else. */
export async function processRestore(shop: string, jobId: string, outputIds: string[], queueId: string, signal?: AbortSignal) {
  const job = await prisma.job.findFirst({ where: { id: jobId, shop }, select: { productId: true } });
  if (!job) throw new PermanentJobError("JOB_NOT_FOUND", "This job no longer exists.");
  const owned = { shop, jobId, mediaQueueId: queueId, reviewState: "restoring" };
  const outputs = await prisma.output.findMany({ where: { ...owned, id: { in: outputIds } }, select: { id: true } });
  if (outputs.length === 0) return;
  const api = await adminApiForShop(shop);
  await productLock(
    shop,
    job.productId,
    signal,
  )(async (lockSignal) => {
    await restoreImages(api, {
      productId: job.productId,
      keys: outputs.map((o) => o.id),
      signal: signal ? AbortSignal.any([signal, lockSignal]) : lockSignal,
    });
    await prisma.output.updateMany({
      where: { ...owned, id: { in: outputs.map((o) => o.id) } },
      data: { reviewState: "restored", removedAt: new Date(), shopifyMediaId: null, errorCode: null, error: null },
    });
  });
}

/**
 * A publish or restore job's last attempt failed: its outputs become something the merchant can act on.
 * A failed publish keeps its media id (the media may be on the product; Publish again adopts it); a
 * failed restore is published again, with the reason.
 */
export async function failMediaJob(
  data: { kind: "publish" | "restore"; shop: string; jobId: string; outputIds: string[] },
  queueId: string,
  code: string,
  message: string,
) {
  const { kind, shop, jobId, outputIds } = data;
  await prisma.output.updateMany({
    where: {
      shop,
      jobId,
      id: { in: outputIds },
      mediaQueueId: queueId,
      reviewState: { in: kind === "publish" ? IN_FLIGHT : ["restoring"] },
    },
    data: { reviewState: kind === "publish" ? "failed" : "published", errorCode: code, error: message },
  });
  if (kind === "publish") await finishUploadingJob(shop, jobId);
}

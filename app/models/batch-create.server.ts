import { randomUUID } from "node:crypto";
import { prisma } from "~/infra/db.server";
import { logger } from "~/infra/logger.server";
import { parseDatabaseUrl } from "~/infra/database-url";
import { env } from "~/infra/env.server";
import { enqueueMany, generateQueueId, QueueUnavailableError } from "~/infra/queue.server";
import { getSettings } from "~/models/settings.server";
import {
  CapReachedError,
  getCapacity,
  isCapped,
  plannedImages,
  releaseImages,
  reserveImages,
  TRANSACTION,
  type Tx,
} from "~/models/usage.server";
import { MAX_PHOTOS, UNFINISHED_STATES } from "~/models/constants";
import { shopBacklog } from "~/models/jobs.server";

// A batch of any size, in a bounded number of statements and round trips whatever its size: the rows are
// written with createMany in chunks inside one transaction (all or nothing), then queued with addBulk in
// chunks. Job ids are made here, so the queue ids (generate-<row id>-0) are known before anything is
// written: if Redis fails after the commit, the rows stay "queued" and the reconciler adds exactly those
// entries later (reconcile.server.ts), so nothing is lost and nothing runs twice.

/** Rows per createMany, and entries per addBulk: small enough for SQLite's bound-parameter limit. */
export const WRITE_CHUNK = 400;
export const ENQUEUE_CHUNK = 500;

export interface BatchImage {
  id: string;
  url: string;
  width: number | null;
  height: number | null;
}

export interface BatchProduct {
  id: string;
  title: string;
  images: BatchImage[];
}

export interface BatchSpec {
  mode: "white" | "lifestyle";
  options: object;
  provider: string;
}

export interface ExistingJob {
  jobId: string;
  productId: string;
  batchId: string | null;
}

export interface CreatedBatch {
  /** Null when every product was already in an unfinished job: no new batch was made. */
  batchId: string | null;
  jobs: { id: string; productId: string }[];
  /** Products left out because an unfinished job of the same mode already has them. */
  alreadyRunning: ExistingJob[];
  /** False when Redis failed after the commit: the jobs are saved and the reconciler queues them. */
  queued: boolean;
}

const NO_PHOTOS = "NO_PHOTOS";

/**
 * Creates one batch for `products` (deduplicated by id) and queues it. A product already in an
 * unfinished job of this shop and mode is not added again (a resubmitted selection, a double click);
 * the answer lists it with the job that has it. Throws CapReachedError (nothing stored) when the paid
 * images would pass the monthly cap.
 */
export async function createBatch(shop: string, products: readonly BatchProduct[], spec: BatchSpec): Promise<CreatedBatch> {
  const unique = [...new Map(products.map((product) => [product.id, product])).values()];
  const { monthlyCap } = await getSettings(shop);
  const capped = isCapped(spec.provider);
  const perJob = capped ? plannedImages(spec.mode, spec.options) : 0;
  const options = JSON.stringify(spec.options);

  const outcome = await prisma.$transaction(async (tx) => {
    await lockShopBatches(tx, shop);
    const running = await tx.job.findMany({
      where: { shop, mode: spec.mode, status: { in: [...UNFINISHED_STATES] } },
      select: { id: true, productId: true, batchId: true },
    });
    const busy = new Map(running.map((job) => [job.productId, job]));
    const alreadyRunning: ExistingJob[] = [];
    const fresh: BatchProduct[] = [];
    for (const product of unique) {
      const job = busy.get(product.id);
      if (job) alreadyRunning.push({ jobId: job.id, productId: product.id, batchId: job.batchId });
      else fresh.push(product);
    }
    if (fresh.length === 0) return { kind: "empty" as const, alreadyRunning };

    const withPhotos = fresh.filter((product) => product.images.length > 0).length;
    const total = perJob * withPhotos;
    const month = total > 0 ? await reserveImages(tx, shop, total, monthlyCap) : null;
    if (total > 0 && !month) return { kind: "capped" as const, needed: withPhotos };

    const batchId = randomUUID();
    // Fair shares between shops, as for every job: see shopBacklog().
    const backlog = await shopBacklog(tx, shop);
    try {
      await writeBatch(tx, shop, batchId, fresh, spec, options, perJob, month, backlog);
    } catch (error) {
      if (isSqlite()) {
        // Not a rollback: on SQLite the process shares one connection, and a rollback would also undo
        // another request's statement that ran meanwhile. The transaction undoes its own rows and commits.
        await undoBatch(tx, shop, batchId);
        if (month) await releaseImages(tx, shop, month, total);
        return { kind: "failed" as const, error };
      }
      throw error;
    }
    return { kind: "created" as const, batchId, fresh, alreadyRunning, backlog };
  }, batchTransaction(unique.length));

  if (outcome.kind === "failed") throw outcome.error;
  if (outcome.kind === "capped") {
    throw new CapReachedError(
      await getCapacity(shop, monthlyCap),
      Array.from({ length: outcome.needed }, () => perJob),
    );
  }
  if (outcome.kind === "empty") {
    return { batchId: null, jobs: [], alreadyRunning: outcome.alreadyRunning, queued: true };
  }

  const jobs = outcome.fresh.map((product, index) => ({
    id: jobIdFor(outcome.batchId, index),
    productId: product.id,
    product,
    priority: outcome.backlog + index + 1,
  }));
  const queued = await enqueueBatch(
    shop,
    jobs.filter((job) => job.product.images.length > 0),
  );
  return {
    batchId: outcome.batchId,
    jobs: jobs.map(({ id, productId }) => ({ id, productId })),
    alreadyRunning: outcome.alreadyRunning,
    queued,
  };
}

/** The usual limits, and 10 ms more per product: a 5,000-product batch writes for seconds on a busy machine. */
function batchTransaction(products: number) {
  return { ...TRANSACTION, timeout: TRANSACTION.timeout + 10 * products };
}

/** Job ids follow from the batch's: the queue entries are named before anything is written. */
function jobIdFor(batchId: string, index: number) {
  return `${batchId}-${index}`;
}

async function writeBatch(
  tx: Tx,
  shop: string,
  batchId: string,
  products: BatchProduct[],
  spec: BatchSpec,
  options: string,
  perJob: number,
  month: string | null,
  backlog: number,
) {
  await tx.batch.create({ data: { id: batchId, shop, mode: spec.mode, options } });
  const now = new Date();
  for (let start = 0; start < products.length; start += WRITE_CHUNK) {
    const chunk = products.slice(start, start + WRITE_CHUNK);
    await tx.job.createMany({
      data: chunk.map((product, offset) => {
        const index = start + offset;
        const base = {
          id: jobIdFor(batchId, index),
          shop,
          batchId,
          productId: product.id,
          productTitle: product.title,
          mode: spec.mode,
          options,
          provider: spec.provider,
          // Its rank in the shop's backlog (see shopBacklog()); the reconciler re-queues with it.
          priority: backlog + index + 1,
        };
        if (product.images.length === 0) {
          // Shown as failed with its reason, never queued: the merchant sees which products had no photo.
          return {
            ...base,
            status: "failed",
            errorCode: NO_PHOTOS,
            error: `${product.title} has no photos to work from.`,
            finishedAt: now,
          };
        }
        return { ...base, reservedImages: perJob, reservedMonth: perJob ? month : null };
      }),
    });
    const sources = chunk.flatMap((product, offset) =>
      product.images.slice(0, MAX_PHOTOS).map((image, position) => ({
        shop,
        jobId: jobIdFor(batchId, start + offset),
        position,
        origin: "product",
        shopifyMediaId: image.id,
        url: image.url,
        width: image.width,
        height: image.height,
      })),
    );
    for (let from = 0; from < sources.length; from += WRITE_CHUNK) {
      await tx.sourceImage.createMany({ data: sources.slice(from, from + WRITE_CHUNK) });
    }
  }
}

async function undoBatch(tx: Tx, shop: string, batchId: string) {
  await tx.sourceImage.deleteMany({ where: { shop, job: { batchId } } });
  await tx.job.deleteMany({ where: { shop, batchId } });
  await tx.batch.deleteMany({ where: { shop, id: batchId } });
}

/**
 * Queues the batch in chunks. A Redis failure leaves the rest "queued" in the database: the reconciler
 * finds their entries missing and adds them under the same ids, so the answer still names the batch.
 */
async function enqueueBatch(shop: string, toQueue: { id: string; priority: number }[]): Promise<boolean> {
  for (let start = 0; start < toQueue.length; start += ENQUEUE_CHUNK) {
    const chunk = toQueue.slice(start, start + ENQUEUE_CHUNK);
    try {
      await enqueueMany(
        chunk.map((job) => ({
          data: { kind: "generate", shop, jobId: job.id, attempt: 0 },
          id: generateQueueId(job.id, 0),
          priority: job.priority,
        })),
      );
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      logger.warn(
        { shop, left: toQueue.length - start, error: error.message },
        "[batches] queue unavailable; the reconciler queues the rest",
      );
      return false;
    }
  }
  return true;
}

/**
 * Two submits of the same selection for one shop run one after the other, so the second sees the first
 * one's jobs: on PostgreSQL a transaction-scoped advisory lock on the shop; on SQLite a first write (it
 * takes the database's write lock at once rather than failing when another process wrote in between).
 */
async function lockShopBatches(tx: Tx, shop: string) {
  if (isSqlite()) await tx.$executeRaw`UPDATE "Batch" SET "mode" = "mode" WHERE 0 = 1`;
  else await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${"batches:" + shop}))::text`;
}

function isSqlite() {
  return parseDatabaseUrl(env.DATABASE_URL).kind === "sqlite";
}

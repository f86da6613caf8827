import { prisma } from "~/infra/db.server";
import { PENDING_STORAGE_KEY } from "~/infra/storage.server";
import { dequeue, enqueue, enqueueMany, generateQueueId, googleBatchQueueId } from "~/infra/queue.server";
import { getSettings } from "~/models/settings.server";
import {
  CapReachedError,
  getCapacity,
  isCapped,
  plannedImages,
  releaseImages,
  reserveImages,
  settleImages,
  imagePriceMicros,
  TRANSACTION,
  type Tx,
} from "~/models/usage.server";
import { render } from "~/i18n/index";
import { AWAITING_BATCH, CANCELLABLE_STATES, RETRYABLE_STATES, RUNNING_STATES, type JobState } from "~/models/constants";
import { logger } from "~/infra/logger.server";

// Jobs, their source photos and outputs. Every query is filtered by shop: an id alone never finds a row.
// Every write an attempt makes is conditional on the row still being at that attempt, so an old attempt
// (a stalled worker, a cancelled run) never overwrites a newer one's row.
//
// Transactions never roll back on purpose: on SQLite the process has one connection, so another
// request's statement can run inside an open transaction and a rollback would undo it too. Each
// transaction starts with a write (it then holds SQLite's write lock from the start) and undoes its own
// effects by hand where a later step finds nothing to do.

// Kept with the failed job as its reason; the page shows the hint for its code in the merchant's language.
const QUEUE_UNAVAILABLE = render("en", { code: "QUEUE_UNAVAILABLE" });

export interface NewJobSource {
  origin: "product" | "upload";
  shopifyMediaId?: string;
  url?: string;
  storageKey?: string;
  width?: number;
  height?: number;
  bytes?: number;
}

export interface NewJob {
  productId: string;
  productTitle: string;
  mode: "white" | "lifestyle";
  options: object;
  provider: string;
  sources: NewJobSource[];
  /** A product of a batch that cannot be done: shown as failed with its reason, never queued. */
  failure?: { code: string; message: string };
}

/**
 * Per-shop fairness on open-source BullMQ (no groups): a job's queue priority is its rank in its shop's
 * backlog when it is queued, so a shop's n-th unfinished job runs with everyone's n-th. Shop B's single
 * job ranks 1 and goes ahead of all but the first of shop A's 1,000, taking the next free worker;
 * A's later jobs, batches or singles, queue behind A's own backlog. One count, scoped by shop.
 */
export async function shopBacklog(tx: Pick<typeof prisma, "job">, shop: string): Promise<number> {
  return tx.job.count({ where: { shop, status: { in: [...CANCELLABLE_STATES] } } });
}

/**
 * Creates jobs (one, or a batch from the bulk action) and queues them. The planned images of every job
 * on a paid provider are reserved first, all or nothing: a request that would pass the monthly cap
 * throws CapReachedError and stores nothing.
 */
export interface CreateJobsOptions {
  /** Runs inside the jobs' transaction once they are made: a row that must exist exactly when they do (automation's claim). */
  inTransaction?: (tx: Tx, jobs: { id: string }[]) => Promise<unknown>;
  /**
   * Redis down after the commit: the jobs stay queued for the reconciler instead of failing (for work no
   * merchant is waiting on, such as automation's). Without it they fail with QUEUE_UNAVAILABLE and a Retry.
   */
  keepIfQueueDown?: boolean;
}

export async function createJobs(
  shop: string,
  inputs: NewJob[],
  batch?: { mode: string; options: object; economy?: boolean },
  opts: CreateJobsOptions = {},
) {
  const { monthlyCap } = await getSettings(shop);
  const needed = inputs.map((input) => (!input.failure && isCapped(input.provider) ? plannedImages(input.mode, input.options) : 0));
  const total = needed.reduce((sum, images) => sum + images, 0);

  const created = await prisma.$transaction(async (tx) => {
    const month = total > 0 ? await reserveImages(tx, shop, total, monthlyCap) : null;
    if (total > 0 && !month) return null;
    const backlog = await shopBacklog(tx, shop);
    const batchRow = batch
      ? await tx.batch.create({ data: { shop, mode: batch.mode, options: JSON.stringify(batch.options), economy: batch.economy ?? false } })
      : null;
    const jobs = [];
    for (const [index, input] of inputs.entries()) {
      jobs.push(
        await tx.job.create({
          data: {
            shop,
            productId: input.productId,
            productTitle: input.productTitle,
            mode: input.mode,
            options: JSON.stringify(input.options),
            provider: input.provider,
            batchId: batchRow?.id,
            // Fair shares between shops: see shopBacklog().
            priority: backlog + index + 1,
            reservedImages: needed[index],
            reservedMonth: needed[index] ? month : null,
            ...(input.failure
              ? { status: "failed", errorCode: input.failure.code, error: input.failure.message, finishedAt: new Date() }
              : { sources: { create: input.sources.map((source, position) => ({ shop, position, ...source })) } }),
          },
        }),
      );
    }
    await opts.inTransaction?.(tx, jobs);
    return { batch: batchRow, jobs };
  }, TRANSACTION);
  if (!created)
    throw new CapReachedError(
      await getCapacity(shop, monthlyCap),
      needed.filter((images) => images > 0),
    );

  const queued = created.jobs.filter((job) => job.status === "queued");
  try {
    // An economy batch has one entry, the Google batch's, which prepares all its jobs and submits them.
    await enqueueMany(
      created.batch?.economy && queued.length > 0
        ? [{ data: { kind: "google-batch", shop, batchId: created.batch.id }, id: googleBatchQueueId(created.batch.id) }]
        : queued.map((job) => ({
            data: { kind: "generate", shop, jobId: job.id, attempt: 0 },
            id: generateQueueId(job.id, 0),
            priority: job.priority,
          })),
    );
  } catch (error) {
    if (opts.keepIfQueueDown) {
      logger.warn({ shop, jobs: queued.length, error: (error as Error).message }, "jobs saved but not queued; the reconciler queues them");
      return { ...created, queued: false };
    }
    // Nothing is queued, so nothing is left pretending to be: the jobs show why and can be retried.
    for (const job of queued) await failJob(shop, job.id, 0, "QUEUE_UNAVAILABLE", QUEUE_UNAVAILABLE);
    throw error;
  }
  return { ...created, queued: true };
}

export async function getJob(shop: string, id: string) {
  return prisma.job.findFirst({
    where: { id, shop },
    include: {
      sources: { orderBy: { position: "asc" } },
      outputs: { orderBy: { position: "asc" } },
      batch: { select: { economy: true, googleState: true, googleSubmittedAt: true } },
    },
  });
}

/** The shop's recent jobs; `single` leaves out those of batches (their batch lists them). */
export async function listJobs(shop: string, { take = 20, single = false }: { take?: number; single?: boolean } = {}) {
  return prisma.job.findMany({
    where: { shop, ...(single ? { batchId: null } : {}) },
    orderBy: { createdAt: "desc" },
    take,
    include: { outputs: { where: { storageKey: { not: PENDING_STORAGE_KEY } }, orderBy: { position: "asc" }, take: 1 } },
  });
}

/**
 * The attempt's worker takes the row: from "queued", or from a running state when an earlier run of
 * the same attempt stopped half-way (a stalled or killed worker, a shutdown). False when the row has
 * moved on (cancelled, finished, or a newer attempt).
 */
export async function claimAttempt(shop: string, id: string, attempt: number): Promise<boolean> {
  const now = new Date();
  const { count } = await prisma.job.updateMany({
    where: { id, shop, attempts: attempt, status: { in: ["queued", ...RUNNING_STATES] } },
    data: { status: "analysing", progress: 5, startedAt: now, heartbeatAt: now, error: null, errorCode: null },
  });
  return count === 1;
}

export async function updateJobProgress(shop: string, id: string, attempt: number, status: JobState, progress: number) {
  await prisma.job.updateMany({
    where: { id, shop, attempts: attempt, status: { in: ["queued", ...RUNNING_STATES] } },
    data: { status, progress: Math.max(0, Math.min(100, Math.round(progress))), heartbeatAt: new Date() },
  });
}

/** The running attempt's sign of life. False when the row is no longer this attempt's to work on. */
export async function touchJob(shop: string, id: string, attempt: number): Promise<boolean> {
  const { count } = await prisma.job.updateMany({
    where: { id, shop, attempts: attempt, status: { in: [...RUNNING_STATES] } },
    data: { heartbeatAt: new Date() },
  });
  return count === 1;
}

/**
 * Fails the attempt and gives back its reservation, once. A row that has moved on stays as it is, and
 * so does one "uploading": its outputs are saved and counted, and only its publish is left to do.
 */
export async function failJob(shop: string, id: string, attempt: number, errorCode: string, message: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, shop, attempts: attempt, status: { in: ["queued", ...RUNNING_STATES, AWAITING_BATCH] } },
      data: { status: "failed", errorCode, error: message, finishedAt: new Date() },
    });
    if (count === 1) await releaseReservation(tx, shop, id, attempt);
    return count === 1;
  }, TRANSACTION);
}

async function releaseReservation(tx: Tx, shop: string, id: string, attempt: number) {
  const job = await tx.job.findFirst({ where: { id, shop, attempts: attempt }, select: { reservedImages: true, reservedMonth: true } });
  if (!job?.reservedMonth || job.reservedImages === 0) return;
  const { count } = await tx.job.updateMany({
    where: { id, shop, attempts: attempt, reservedImages: job.reservedImages, reservedMonth: job.reservedMonth },
    data: { reservedImages: 0, reservedMonth: null },
  });
  if (count === 1) await releaseImages(tx, shop, job.reservedMonth, job.reservedImages);
}

/**
 * Makes sure a running attempt on a paid provider holds its images before the provider is called. A
 * row queued before reservations existed reserves now; false when the cap has no room left.
 */
export async function holdReservation(
  shop: string,
  job: { id: string; attempts: number; provider: string; mode: string; options: string; reservedImages: number },
) {
  if (!isCapped(job.provider) || job.reservedImages > 0) return true;
  const { monthlyCap } = await getSettings(shop);
  const images = plannedImages(job.mode, JSON.parse(job.options));
  return prisma.$transaction(async (tx) => {
    const month = await reserveImages(tx, shop, images, monthlyCap);
    if (!month) return false;
    const { count } = await tx.job.updateMany({
      where: { id: job.id, shop, attempts: job.attempts, reservedImages: 0, status: { in: [...RUNNING_STATES] } },
      data: { reservedImages: images, reservedMonth: month },
    });
    if (count === 0) await releaseImages(tx, shop, month, images);
    return count === 1;
  }, TRANSACTION);
}

export interface NewOutput {
  storageKey: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  provider: string;
  prompt: string | null;
  promptVersion: string;
  report: string;
  /** How long the provider took for this image, in ms. */
  providerMs?: number;
}

/**
 * Saves what an attempt made, in one transaction: the output rows (their files are already written),
 * the usage, the settled reservation and the job's next state. Null when the row is no longer this
 * attempt's (cancelled, failed by the reconciler, or already saved by another run): nothing is written.
 */
export async function saveOutputs(
  shop: string,
  job: { id: string; attempts: number; provider: string },
  outputs: NewOutput[],
  next: "done" | "uploading",
  usedPositions: number[],
  /** How many of the outputs came from Google's Batch API (priced at the batch price). */
  batchImages = 0,
) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.job.updateMany({
      where: { id: job.id, shop, attempts: job.attempts, status: { in: [...RUNNING_STATES] } },
      data: {
        status: next,
        progress: next === "done" ? 100 : 92,
        heartbeatAt: new Date(),
        ...(next === "done" ? { finishedAt: new Date() } : {}),
      },
    });
    if (current.count === 0) return null;
    const row = await tx.job.findFirstOrThrow({ where: { id: job.id, shop }, select: { reservedImages: true, reservedMonth: true } });
    await tx.job.updateMany({ where: { id: job.id, shop, attempts: job.attempts }, data: { reservedImages: 0, reservedMonth: null } });
    const size = Math.max(0, ...outputs.map((output) => Math.max(output.width, output.height)));
    await settleImages(
      tx,
      shop,
      job.provider,
      outputs.length,
      { month: row.reservedMonth, images: row.reservedImages },
      size || undefined,
      batchImages,
    );
    // Outputs of earlier attempts stay (a retry keeps them); this attempt's come after them.
    const start = await tx.output.count({ where: { shop, jobId: job.id } });
    const created = await tx.output.createManyAndReturn({
      // Each image priced as settleImages priced it, so the outputs' costs add up to the usage row's.
      data: outputs.map((output, index) => ({
        shop,
        jobId: job.id,
        attempt: job.attempts,
        position: start + index,
        costMicros: imagePriceMicros(job.provider, size || undefined),
        ...output,
      })),
    });
    await tx.sourceImage.updateMany({ where: { shop, jobId: job.id }, data: { used: false } });
    await tx.sourceImage.updateMany({ where: { shop, jobId: job.id, position: { in: usedPositions } }, data: { used: true } });
    return created.sort((a, b) => a.position - b.position);
  }, TRANSACTION);
}

/**
 * Queues a failed or cancelled job again as a new attempt; its earlier outputs stay (nothing is lost).
 * The new attempt's images are reserved with the state change; CapReachedError when they do not fit.
 */
export async function retryJob(shop: string, id: string) {
  const job = await prisma.job.findFirst({ where: { id, shop } });
  if (!job || !RETRYABLE_STATES.includes(job.status as JobState)) return null;
  const attempt = job.attempts + 1;
  const { monthlyCap } = await getSettings(shop);
  const images = isCapped(job.provider) ? plannedImages(job.mode, JSON.parse(job.options)) : 0;
  let priority = job.priority;
  const outcome = await prisma.$transaction(async (tx) => {
    const month = images > 0 ? await reserveImages(tx, shop, images, monthlyCap) : null;
    if (images > 0 && !month) return "capped";
    priority = (await shopBacklog(tx, shop)) + 1;
    // Conditional on the attempt read above, so two clicks on Retry queue the job once.
    const { count } = await tx.job.updateMany({
      where: { id, shop, attempts: job.attempts, status: { in: [...RETRYABLE_STATES] } },
      data: {
        status: "queued",
        progress: 0,
        error: null,
        errorCode: null,
        attempts: attempt,
        finishedAt: null,
        startedAt: null,
        heartbeatAt: null,
        reservedImages: images,
        reservedMonth: month,
        priority,
      },
    });
    if (count === 0 && month) await releaseImages(tx, shop, month, images);
    return count === 1 ? "queued" : "raced";
  }, TRANSACTION);
  if (outcome === "capped") throw new CapReachedError(await getCapacity(shop, monthlyCap), [images]);
  if (outcome === "raced") return null;
  try {
    await enqueue({ kind: "generate", shop, jobId: id, attempt }, generateQueueId(id, attempt), priority);
  } catch (error) {
    // As in createJobs: not left "queued" with nothing in the queue.
    await failJob(shop, id, attempt, "QUEUE_UNAVAILABLE", QUEUE_UNAVAILABLE);
    throw error;
  }
  return job;
}

export async function cancelJob(shop: string, id: string) {
  // The attempt is read before the update, and the update is conditional on it: a Retry that lands in
  // between makes a new attempt, which this cancel neither changes nor takes off the queue.
  const job = await prisma.job.findFirst({ where: { id, shop }, select: { attempts: true, status: true } });
  if (!job || !CANCELLABLE_STATES.includes(job.status as JobState)) return false;
  const cancelled = await prisma.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, shop, attempts: job.attempts, status: { in: [...CANCELLABLE_STATES] } },
      data: { status: "cancelled", finishedAt: new Date() },
    });
    if (count === 1) await releaseReservation(tx, shop, id, job.attempts);
    return count === 1;
  }, TRANSACTION);
  if (!cancelled) return false;
  // The worker skips a cancelled job anyway (and a running one stops at its next heartbeat); taking its
  // entry off the queue keeps it from waiting there. The row is what counts, so a Redis failure here
  // does not undo the cancel.
  await dequeue(generateQueueId(id, job.attempts)).catch((error: Error) => {
    logger.warn({ shop, jobId: id, error: error.message }, "[jobs] cancelled job left in the queue");
  });
  return true;
}

import { prisma } from "~/db.server";
import { PENDING_STORAGE_KEY } from "~/storage.server";
import { dequeue, enqueue } from "~/queue.server";

// Jobs, their source photos and outputs. Every query is filtered by shop: an id alone never finds a row.

import { CANCELLABLE_STATES, RETRYABLE_STATES, type JobState } from "~/constants";

// One queue entry per attempt: a retry is a new entry, a double submit of the same attempt is not.
function generateQueueId(id: string, attempts: number) {
  return `generate-${id}-${attempts}`;
}

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
  batchId?: string;
  /** Position in its batch (1-based): see enqueue() for why. */
  priority?: number;
}

export async function createJob(shop: string, input: NewJob) {
  const job = await prisma.job.create({
    data: {
      shop,
      productId: input.productId,
      productTitle: input.productTitle,
      mode: input.mode,
      options: JSON.stringify(input.options),
      provider: input.provider,
      batchId: input.batchId,
      sources: {
        create: input.sources.map((source, position) => ({ shop, position, ...source })),
      },
    },
  });
  try {
    await enqueue({ kind: "generate", shop, jobId: job.id }, generateQueueId(job.id, 0), input.priority);
  } catch (error) {
    // Nothing is queued, so nothing is left pretending to be: the job shows why and can be retried.
    await prisma.job.update({
      where: { id: job.id },
      data: { status: "failed", errorCode: "QUEUE_UNAVAILABLE", error: "The job queue is unavailable. Try again in a minute." },
    });
    throw error;
  }
  return job;
}

export async function getJob(shop: string, id: string) {
  return prisma.job.findFirst({
    where: { id, shop },
    include: { sources: { orderBy: { position: "asc" } }, outputs: { orderBy: { position: "asc" } } },
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

export async function updateJobProgress(shop: string, id: string, status: JobState, progress: number) {
  await prisma.job.updateMany({
    where: { id, shop, status: { notIn: ["cancelled"] } },
    data: {
      status,
      progress: Math.max(0, Math.min(100, Math.round(progress))),
      ...(status === "analysing" ? { startedAt: new Date(), error: null, errorCode: null } : {}),
      ...(status === "done" ? { finishedAt: new Date() } : {}),
    },
  });
}

export async function failJob(shop: string, id: string, errorCode: string, message: string) {
  // A job the merchant cancelled stays cancelled, whatever its last run ran into.
  await prisma.job.updateMany({
    where: { id, shop, status: { not: "cancelled" } },
    data: { status: "failed", errorCode, error: message, finishedAt: new Date() },
  });
}

/** Queues a failed or cancelled job again; its earlier outputs stay (nothing is lost). */
export async function retryJob(shop: string, id: string) {
  const job = await prisma.job.findFirst({ where: { id, shop } });
  if (!job || !RETRYABLE_STATES.includes(job.status as JobState)) return null;
  const attempts = job.attempts + 1;
  // Conditional on the attempt read above, so two clicks on Retry queue the job once.
  const { count } = await prisma.job.updateMany({
    where: { id, shop, attempts: job.attempts, status: { in: [...RETRYABLE_STATES] } },
    data: { status: "queued", progress: 0, error: null, errorCode: null, attempts, finishedAt: null },
  });
  if (count === 0) return null;
  try {
    await enqueue({ kind: "generate", shop, jobId: id }, generateQueueId(id, attempts));
  } catch (error) {
    // As in createJob: not left "queued" with nothing in the queue.
    await failJob(shop, id, "QUEUE_UNAVAILABLE", "The job queue is unavailable. Try again in a minute.");
    throw error;
  }
  return job;
}

export async function cancelJob(shop: string, id: string) {
  const { count } = await prisma.job.updateMany({
    where: { id, shop, status: { in: [...CANCELLABLE_STATES] } },
    data: { status: "cancelled", finishedAt: new Date() },
  });
  if (count === 0) return false;
  // The worker skips a cancelled job anyway; taking its entry off the queue also keeps a later retry
  // from running beside it. The row is what counts, so a Redis failure here does not undo the cancel.
  const job = await prisma.job.findFirst({ where: { id, shop }, select: { attempts: true } });
  if (job) {
    await dequeue(generateQueueId(id, job.attempts)).catch((error: Error) => {
      console.warn("[jobs] cancelled job left in the queue", { shop, jobId: id, error: error.message });
    });
  }
  return true;
}

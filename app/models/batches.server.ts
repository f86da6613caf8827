import { prisma } from "~/infra/db.server";
import { PENDING_STORAGE_KEY } from "~/infra/storage.server";
import { cancelJob, retryJob } from "~/models/jobs.server";
import { getSettings } from "~/models/settings.server";
import { cancelGoogleBatch } from "~/models/google-batches.server";
import { CapReachedError, isCapped, plannedImages, refuseIfNoRoom } from "~/models/usage.server";
import { AWAITING_BATCH, CANCELLABLE_STATES, RETRYABLE_STATES, TERMINAL_STATES, type JobState } from "~/models/constants";

// Batches from the bulk action: one job per product. Every query is filtered by shop: an id alone never
// finds a row.

export interface BatchCounts {
  total: number;
  done: number;
  inProgress: number;
  failed: number;
  cancelled: number;
}

function countStatuses(rows: { status: string; count: number }[]): BatchCounts {
  const counts: BatchCounts = { total: 0, done: 0, inProgress: 0, failed: 0, cancelled: 0 };
  for (const { status, count } of rows) {
    counts.total += count;
    if (status === "done" || status === "failed" || status === "cancelled") counts[status] += count;
    else counts.inProgress += count;
  }
  return counts;
}

/** Jobs per page of the batch page. */
export const BATCH_PAGE_SIZE = 50;

/**
 * One page of a batch: its jobs in order, and its counts by state from the database (one groupBy),
 * so a page polled each second reads at most BATCH_PAGE_SIZE jobs whatever the batch's size.
 */
export async function getBatch(shop: string, id: string, { page = 1 }: { page?: number } = {}) {
  const batch = await prisma.batch.findFirst({ where: { id, shop } });
  if (!batch) return null;
  const groups = await prisma.job.groupBy({
    by: ["status"],
    where: { shop, batchId: id },
    _count: { _all: true },
    _sum: { progress: true },
  });
  const counts = countStatuses(groups.map((group) => ({ status: group.status, count: group._count._all })));
  const pages = Math.max(1, Math.ceil(counts.total / BATCH_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const jobs = await prisma.job.findMany({
    where: { shop, batchId: id },
    orderBy: [{ priority: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    skip: (current - 1) * BATCH_PAGE_SIZE,
    take: BATCH_PAGE_SIZE,
    include: { outputs: { where: { shop, storageKey: { not: PENDING_STORAGE_KEY } }, orderBy: { position: "asc" }, take: 1 } },
  });
  // A finished job counts as complete whatever its outcome: the bar shows how much is left to wait for.
  let points = 0;
  let retryable = 0;
  let cancellable = 0;
  // Of the whole batch, not of this page: the page polls slowly once all that is left waits for Google.
  let awaitingBatch = 0;
  for (const group of groups) {
    const status = group.status as JobState;
    points += TERMINAL_STATES.includes(status) ? 100 * group._count._all : (group._sum.progress ?? 0);
    if (RETRYABLE_STATES.includes(status)) retryable += group._count._all;
    if (CANCELLABLE_STATES.includes(status)) cancellable += group._count._all;
    if (status === AWAITING_BATCH) awaitingBatch += group._count._all;
  }
  return {
    ...batch,
    jobs,
    counts,
    progress: counts.total ? Math.round(points / counts.total) : 100,
    retryable,
    cancellable,
    awaitingBatch,
    page: current,
    pages,
  };
}

export async function listBatches(shop: string, { take = 5 }: { take?: number } = {}) {
  const batches = await prisma.batch.findMany({ where: { shop }, orderBy: { createdAt: "desc" }, take });
  const groups = await prisma.job.groupBy({
    by: ["batchId", "status"],
    where: { shop, batchId: { in: batches.map((batch) => batch.id) } },
    _count: { _all: true },
  });
  return batches.map((batch) => ({
    ...batch,
    counts: countStatuses(
      groups.filter((group) => group.batchId === batch.id).map((group) => ({ status: group.status, count: group._count._all })),
    ),
  }));
}

/**
 * Queues the batch's failed and cancelled jobs again. Null when the shop has no such batch. Refused up
 * front (CapReachedError, saying how many fit) when the retried jobs would pass the monthly cap; each
 * retry still reserves its own images, so a request that takes the room meanwhile stops the rest.
 */
export async function retryFailed(shop: string, batchId: string) {
  const jobs = await batchJobs(shop, batchId, RETRYABLE_STATES);
  if (!jobs) return null;
  const needed = jobs.filter((job) => isCapped(job.provider)).map((job) => plannedImages(job.mode, JSON.parse(job.options)));
  await refuseIfNoRoom(shop, (await getSettings(shop)).monthlyCap, needed);
  let retried = 0;
  for (const job of jobs) {
    try {
      if (await retryJob(shop, job.id)) retried++;
    } catch (error) {
      if (error instanceof CapReachedError) break;
      throw error;
    }
  }
  return retried;
}

/** Cancels the batch's jobs that have not finished. Null when the shop has no such batch. */
export async function cancelRest(shop: string, batchId: string) {
  const jobs = await batchJobs(shop, batchId, CANCELLABLE_STATES);
  if (!jobs) return null;
  // All at once: with Redis down each cancel waits out the queue's timeout, and a batch has up to 250.
  const results = await Promise.all(jobs.map((job) => cancelJob(shop, job.id)));
  await cancelGoogleBatch(shop, batchId);
  return results.filter(Boolean).length;
}

async function batchJobs(shop: string, batchId: string, states: readonly string[]) {
  const batch = await prisma.batch.findFirst({ where: { id: batchId, shop }, select: { id: true } });
  if (!batch) return null;
  return prisma.job.findMany({
    where: { shop, batchId, status: { in: [...states] } },
    orderBy: { createdAt: "asc" },
    select: { id: true, provider: true, mode: true, options: true },
  });
}

import type { JobState as EntryState } from "bullmq";
import { env } from "~/infra/env.server";
import { prisma } from "~/infra/db.server";
import { failJob } from "~/models/jobs.server";
import { enqueue, findEntry, generateQueueId, googleBatchQueueId, rerunEntry } from "~/infra/queue.server";
import { waitsOnGoogleBatch } from "~/models/google-batches.server";
import { BUSY_REVIEW_STATES, RUNNING_STATES, UNFINISHED_STATES, type JobState } from "~/models/constants";
import { reconcilePublishing } from "~/models/publishing.server";
import { afterOutputsSaved, billingEnabled, chargeQueueId } from "~/models/billing.server";
import { STOPPED_ERRORS } from "./errors.server";
import { discardAttemptFiles } from "./generate.server";
import { logger } from "~/infra/logger.server";

// The database is the source of truth; Redis can lose its data (a restart without persistence, a
// FLUSHALL) or BullMQ can give up on an entry without the row hearing of it. Run by one job scheduler
// for the whole cluster (see ensureSchedulers), this walks every unfinished job and makes its queue agree
// with it: an entry that is gone is added again under its deterministic id, an entry that failed fails
// its row with a code (and a Retry button), and a run that has gone on far too long is stopped.

const PAGE = 200;
const WAITING: ReadonlySet<EntryState | "unknown"> = new Set(["waiting", "prioritized", "delayed", "waiting-children"]);

/** Everything the reconciler checks, in one run. */
export async function reconcile(signal?: AbortSignal) {
  const now = new Date();
  return { jobs: await reconcileJobs(now, signal), outputs: await reconcilePublishing({ now }), charges: await reconcileCharges(now) };
}

/**
 * Usage charges the database has and Shopify may not: paid outputs of the last day that were never
 * counted (a crash between their transaction and the hook), and charges not confirmed within one lock
 * period whose queue entry is gone or finished. Each is queued again under its own id; the charge job
 * looks the record up by its key before sending, so this never charges twice.
 */
export async function reconcileCharges(now = new Date()): Promise<{ requeued: number }> {
  if (!billingEnabled()) return { requeued: 0 };
  const since = new Date(now.getTime() - 86_400_000);
  const paidOutputs = await prisma.output.findMany({
    where: { provider: { in: ["gemini", "openai-compatible"] }, createdAt: { gte: since } },
    select: { id: true, shop: true, jobId: true, provider: true },
    take: 2000,
  });
  const counted = new Set(
    (
      await prisma.usageCharge.findMany({
        where: { outputId: { in: paidOutputs.map((o) => o.id) } },
        select: { shop: true, outputId: true },
      })
    ).map((c) => `${c.shop} ${c.outputId}`),
  );
  const uncounted = paidOutputs.filter((o) => !counted.has(`${o.shop} ${o.id}`));
  for (const shop of new Set(uncounted.map((o) => o.shop))) {
    await afterOutputsSaved(
      shop,
      uncounted.filter((o) => o.shop === shop),
    );
  }
  const quietSince = new Date(now.getTime() - env.WORKER_LOCK_SECONDS * 1000);
  const unsent = await prisma.usageCharge.findMany({
    where: { status: { in: ["pending", "sent"] }, updatedAt: { lt: quietSince } },
    select: { id: true, shop: true },
    take: 1000,
  });
  let requeued = 0;
  for (const charge of unsent) {
    const entryId = chargeQueueId(charge.id);
    const entry = await findEntry(entryId);
    if (WAITING.has(entry.state) || entry.state === "active") continue;
    if (entry.state === "unknown") await enqueue({ kind: "charge", shop: charge.shop, jobId: charge.id }, entryId);
    else await rerunEntry(entryId);
    requeued++;
  }
  if (requeued > 0) console.warn("[reconcile] charges queued again", { requeued });
  return { requeued };
}

type Action = "requeued" | "failed";

interface Row {
  id: string;
  shop: string;
  status: string;
  attempts: number;
  priority: number;
  startedAt: Date | null;
  heartbeatAt: Date | null;
  updatedAt: Date;
  batchId: string | null;
  batchRequests: string | null;
  batch: { economy: boolean } | null;
  outputs: { reviewState: string }[];
}

export async function reconcileJobs(now = new Date(), signal?: AbortSignal): Promise<Record<Action, number>> {
  const counts: Record<Action, number> = { requeued: 0, failed: 0 };
  // A running row written to within one lock period may still have a live worker whose entry Redis lost:
  // queueing it again would run the attempt twice (and pay twice).
  const silentSince = new Date(now.getTime() - env.WORKER_LOCK_SECONDS * 1000);
  const stuckSince = new Date(now.getTime() - env.JOB_STUCK_SECONDS * 1000);
  let cursor: string | undefined;
  do {
    const rows: Row[] = await prisma.job.findMany({
      where: { status: { in: [...UNFINISHED_STATES] } },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: {
        id: true,
        shop: true,
        status: true,
        attempts: true,
        priority: true,
        startedAt: true,
        heartbeatAt: true,
        updatedAt: true,
        batchId: true,
        batchRequests: true,
        batch: { select: { economy: true } },
        outputs: { select: { reviewState: true } },
      },
    });
    for (const row of rows) {
      if (signal?.aborted) return counts;
      const action = await reconcileJob(row, silentSince, stuckSince);
      if (action) counts[action]++;
    }
    cursor = rows.length === PAGE ? rows.at(-1)!.id : undefined;
  } while (cursor);
  return counts;
}

async function reconcileJob(row: Row, silentSince: Date, stuckSince: Date): Promise<Action | null> {
  if (row.batchId && waitsOnGoogleBatch(row)) return reconcileGoogleBatch(row, row.batchId);
  const entryId = generateQueueId(row.id, row.attempts);
  const entry = await findEntry(entryId);
  if (WAITING.has(entry.state)) return null;
  const lastSign = row.heartbeatAt && row.heartbeatAt > row.updatedAt ? row.heartbeatAt : row.updatedAt;

  if (row.status === "uploading") {
    // Saved and counted; only the publish is left. A publish job at work moves the row on itself.
    if (entry.state === "active" || row.outputs.some((output) => BUSY_REVIEW_STATES.includes(output.reviewState))) return null;
    if (lastSign > silentSince) return null;
    return requeue(row, entryId, entry.state);
  }
  if (entry.state === "failed") {
    const stalled = /stalled/i.test(entry.failedReason ?? "");
    return fail(row, stalled ? "WORKER_LOST" : "INTERRUPTED");
  }
  const running = RUNNING_STATES.includes(row.status as JobState);
  if (entry.state === "active") {
    // A killed worker's entry stays active until BullMQ's stalled check; only a run that has gone on far
    // longer than any job takes is stopped here (its later writes find the row failed and do nothing).
    return running && row.startedAt && row.startedAt < stuckSince ? fail(row, "TIMED_OUT") : null;
  }
  if (running && lastSign > silentSince) return null;
  return requeue(row, entryId, entry.state);
}

/**
 * A job of an economy batch before Google's answers are saved: the batch's one entry prepares, submits and
 * polls for all its jobs, so that entry is what must exist. Its work is safe to run again (a submitted
 * batch is found by its display name), so a lost or finished entry simply runs again.
 */
async function reconcileGoogleBatch(row: Row, batchId: string): Promise<Action | null> {
  const entryId = googleBatchQueueId(batchId);
  const entry = await findEntry(entryId);
  if (WAITING.has(entry.state) || entry.state === "active") return null;
  if (entry.state === "unknown") await enqueue({ kind: "google-batch", shop: row.shop, batchId }, entryId);
  else await rerunEntry(entryId);
  logger.warn({ shop: row.shop, batchId, jobId: row.id, entry: entry.state }, "[reconcile] google batch entry queued again");
  return "requeued";
}

async function requeue(row: Row, entryId: string, state: EntryState | "unknown"): Promise<Action> {
  if (state === "unknown") {
    await enqueue({ kind: "generate", shop: row.shop, jobId: row.id, attempt: row.attempts }, entryId, row.priority);
  } else {
    // The entry finished but the row did not (a run stopped between its work and its last write).
    await rerunEntry(entryId);
  }
  logger.warn({ shop: row.shop, jobId: row.id, attempt: row.attempts, status: row.status, entry: state }, "[reconcile] queued again");
  return "requeued";
}

async function fail(row: Row, reason: keyof typeof STOPPED_ERRORS): Promise<Action | null> {
  const { code, message } = STOPPED_ERRORS[reason];
  if (!(await failJob(row.shop, row.id, row.attempts, code, message))) return null;
  await discardAttemptFiles(row.shop, row.id, row.attempts);
  logger.warn({ shop: row.shop, jobId: row.id, attempt: row.attempts, code }, "[reconcile] failed");
  return "failed";
}

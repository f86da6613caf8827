import { hostname } from "node:os";
import { DelayedError, MetricsTime, UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { env } from "~/infra/env.server";
import { logger, withLogContext } from "~/infra/logger.server";
import { failJob } from "~/models/jobs.server";
import { purgeExpiredJobs } from "~/models/retention.server";
import { sweepOrphanFiles } from "~/infra/storage.server";
import { MAINTENANCE_QUEUE_NAME, QUEUE_NAME, type MaintenanceJobData, type StudioJobData } from "~/infra/queue.server";
import { classifyJobError, STOPPED_ERRORS } from "./errors.server";
import { discardAttemptFiles, processGenerate } from "./generate.server";
import { processGoogleBatch } from "./google-batch.server";
import { failMediaJob, processPublish, processRestore } from "./publish.server";
import { processCharge } from "./charge.server";
import { reconcile } from "./reconcile.server";

/** The reason the worker process gives running jobs when its shutdown deadline passes. */
export const SHUTDOWN = "worker shutting down";

/** The attempt of a generate entry queued before entries carried it: the last part of its id. */
function generateAttempt(job: Job<StudioJobData>) {
  if (job.data.kind === "generate" && typeof job.data.attempt === "number") return job.data.attempt;
  return Number(String(job.id).split("-").pop()) || 0;
}

async function run(job: Job<StudioJobData>, signal?: AbortSignal) {
  const data = job.data;
  switch (data.kind) {
    case "generate":
      return processGenerate(data.shop, data.jobId, generateAttempt(job), signal);
    // The queue job's id is the claim it works for: it acts only on the outputs that claim still owns.
    case "publish":
      return processPublish(data.shop, data.jobId, data.outputIds, job.id!, signal);
    case "restore":
      return processRestore(data.shop, data.jobId, data.outputIds, job.id!, signal);
    case "charge":
      return processCharge(data.shop, data.jobId, signal);
    case "google-batch":
      return;
  }
}

/** Every line a job's run logs carries its shop, the app's job id, the queue entry and its kind. */
export function processStudioJob(job: Job<StudioJobData>, token?: string, signal?: AbortSignal) {
  // Economy bulk's entry settles its own failures (on the batch's jobs) and delays itself between polls.
  if (job.data.kind === "google-batch")
    return withLogContext({ shop: job.data.shop, batchId: job.data.batchId, queueJobId: job.id, kind: job.data.kind }, () =>
      processGoogleBatchEntry(job as Job<GoogleBatchData>, token, signal),
    );
  const { shop, jobId, kind } = job.data;
  return withLogContext({ shop, jobId, queueJobId: job.id, kind }, () => runStudioJob(job, token, signal));
}

async function runStudioJob(job: Job<StudioJobData>, token?: string, signal?: AbortSignal) {
  if (job.data.kind === "google-batch") return;
  const { shop, jobId } = job.data;
  try {
    await run(job, signal);
  } catch (error) {
    if (signal?.aborted && signal.reason === SHUTDOWN) {
      // Stopped by the shutdown deadline: back to the queue as it was, without spending an attempt
      // (BullMQ does not count a WaitingError). The next run picks up where the row says it is.
      await job.moveToWait(token).catch((moveError: Error) => {
        logger.warn({ shop, jobId, error: moveError.message }, `[worker] ${job.name} left for the stalled-job check`);
      });
      throw new WaitingError();
    }
    const classified = classifyJobError(error);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    logger.warn(
      { shop, jobId, code: classified.code, transient: classified.transient, lastAttempt, error: (error as Error).message },
      `[worker] ${job.name} failed`,
    );
    if (!classified.transient || lastAttempt) {
      // If the database is down this write fails too; the row is then failed by the "failed" handler
      // or, failing that, by the reconciler, which finds the entry failed and the row unfinished.
      await settleFailure(job, classified).catch((writeError: Error) => {
        logger.warn({ shop, jobId, error: writeError.message }, `[worker] ${job.name} failure not recorded`);
      });
    }
    if (!classified.transient) throw new UnrecoverableError(classified.message);
    throw error;
  }
}

type GoogleBatchData = Extract<StudioJobData, { kind: "google-batch" }>;

async function processGoogleBatchEntry(job: Job<GoogleBatchData>, token?: string, signal?: AbortSignal) {
  try {
    await processGoogleBatch(job, token, signal);
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    if (signal?.aborted && signal.reason === SHUTDOWN) {
      await job.moveToWait(token).catch(() => undefined);
      throw new WaitingError();
    }
    const classified = classifyJobError(error);
    logger.warn(
      {
        shop: job.data.shop,
        batchId: job.data.batchId,
        code: classified.code,
        transient: classified.transient,
        error: (error as Error).message,
      },
      "[worker] google-batch failed",
    );
    if (!classified.transient) throw new UnrecoverableError(classified.message);
    throw error;
  }
}

async function settleFailure(job: Job<StudioJobData>, failure: { code: string; message: string }) {
  const data = job.data;
  if (data.kind === "google-batch") return;
  if (data.kind === "generate") {
    const attempt = generateAttempt(job);
    if (await failJob(data.shop, data.jobId, attempt, failure.code, failure.message))
      await discardAttemptFiles(data.shop, data.jobId, attempt);
    return;
  }
  // A charge that could not be sent stays on its row; the reconciler sends it again.
  if (data.kind === "charge") return;
  await failMediaJob(data, job.id!, failure.code, failure.message);
}

/**
 * BullMQ fails some entries without the processor's catch having run: a job that stalled more than
 * allowed (its worker was killed each time) is failed by the next worker that picks it up, without
 * calling the processor. The row is failed here, with a code and a Retry button; for a failure the
 * processor recorded already, this finds the row finished and changes nothing.
 */
export async function onStudioJobFailed(job: Job<StudioJobData> | undefined, error: Error) {
  if (!job || job.finishedOn == null || job.data.kind !== "generate") return;
  const { shop, jobId } = job.data;
  const failure = STOPPED_ERRORS[/stalled/i.test(error.message) ? "WORKER_LOST" : "INTERRUPTED"];
  await settleFailure(job, failure).catch((writeError: Error) => {
    logger.warn({ shop, jobId, error: writeError.message }, "[worker] stalled job not recorded as failed");
  });
}

export function createStudioWorker(options: { connection: Redis; prefix: string; concurrency: number }) {
  const lockDuration = env.WORKER_LOCK_SECONDS * 1000;
  const worker = new Worker<StudioJobData>(QUEUE_NAME, processStudioJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    // Each job records the process that ran it (`processedBy`), so an operator can tell which machine had it.
    name: `${hostname()}:${process.pid}`,
    lockDuration,
    stalledInterval: lockDuration / 2,
    // A job whose worker is killed runs again twice; the third time it is failed (it may be what kills it).
    maxStalledCount: 2,
    // Completed and failed counts per minute for a week, kept by BullMQ in Redis (Queue.getMetrics()).
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  });
  worker.on("failed", (job, error) => {
    onStudioJobFailed(job, error).catch((e: unknown) => logger.error({ err: e }, "[worker] a stopped job was not recorded"));
  });
  return worker;
}

function processMaintenanceJob(job: Job<MaintenanceJobData>, _token?: string, signal?: AbortSignal) {
  return withLogContext({ kind: job.data.kind, queueJobId: job.id }, () => runMaintenanceJob(job, signal));
}

async function runMaintenanceJob(job: Job<MaintenanceJobData>, signal?: AbortSignal) {
  switch (job.data.kind) {
    case "reconcile": {
      const result = await reconcile(signal);
      if (result.jobs.requeued + result.jobs.failed + result.outputs.requeued + result.outputs.settled + result.charges.requeued > 0)
        logger.info(result, "[worker] reconciled");
      return result;
    }
    case "retention": {
      const { jobs, files } = await purgeExpiredJobs(new Date(), signal);
      if (jobs > 0) logger.info({ jobs, files }, `[worker] retention: removed ${jobs} finished jobs and ${files} files`);
      return { jobs, files };
    }
    case "sweep": {
      // Files a crash left without a row (written before their transaction failed, uploads of a request that died).
      const { checked, deleted } = await sweepOrphanFiles({ signal });
      if (deleted > 0) logger.info({ checked, deleted }, `[worker] storage sweep: removed ${deleted} orphan files of ${checked}`);
      return { checked, deleted };
    }
  }
}

/** The cluster's upkeep (reconciler, retention, storage sweep), one at a time per process; see ensureSchedulers(). */
export function createMaintenanceWorker(options: { connection: Redis; prefix: string }) {
  return new Worker<MaintenanceJobData>(MAINTENANCE_QUEUE_NAME, processMaintenanceJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 1,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  });
}

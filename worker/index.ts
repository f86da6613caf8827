import { Redis } from "ioredis";
import { env } from "~/infra/env.server";
import { prisma } from "~/infra/db.server";
import { createMaintenanceWorker, createStudioWorker, SHUTDOWN } from "~/processors/worker.server";
import { closeAdminConnections } from "~/models/admin.server";
import { closePublishConnections } from "~/processors/publish.server";
import { closeQueue, ensureSchedulers } from "~/infra/queue.server";
import { warmSegmentation } from "~/studio";

// The worker process: connect, register the processors and the cluster's schedules, and close cleanly.
// On SIGTERM/SIGINT running jobs may finish for most of WORKER_SHUTDOWN_SECONDS; then they are aborted
// and go back to the queue (without spending an attempt), and the process exits within the deadline. Its own errors never kill it
// half-way: an unexpected one is logged and leads to the same orderly shutdown.

const RETENTION_EVERY_MS = 3_600_000;
const SWEEP_EVERY_MS = 24 * 3_600_000;
// The process is gone by WORKER_SHUTDOWN_SECONDS. Running jobs may finish until this long before it;
// then they are aborted and stop at their next checkpoint (image work holds the event loop for seconds).
const ABORT_BEFORE_DEADLINE_MS = Math.min(10_000, (env.WORKER_SHUTDOWN_SECONDS * 1000) / 2);

const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = createStudioWorker({ connection, prefix: env.QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY });
const maintenance = createMaintenanceWorker({ connection, prefix: env.QUEUE_PREFIX });

worker.on("ready", () => console.log(`[worker] ready (concurrency ${env.WORKER_CONCURRENCY})`));
// The segmentation model loads before the first job instead of during it.
warmSegmentation().catch((error: Error) => console.warn("[worker] segmentation model not warmed", error.message));
worker.on("error", (error) => console.error("[worker] error", error.message));
maintenance.on("error", (error) => console.error("[worker] maintenance error", error.message));

// A flushed or restarted Redis loses the schedulers too, so they are put back on every (re)connection
// and once an interval; upserting keeps the schedule, however many workers do it.
function schedule() {
  ensureSchedulers({ reconcileMs: env.RECONCILE_INTERVAL_SECONDS * 1000, retentionMs: RETENTION_EVERY_MS, sweepMs: SWEEP_EVERY_MS }).catch(
    (error: Error) => console.warn("[worker] schedulers not upserted", error.message),
  );
}
connection.on("ready", schedule);
const rescheduler = setInterval(schedule, env.RECONCILE_INTERVAL_SECONDS * 1000);

let closing = false;
async function shutdown(reason: string, exitCode: number) {
  if (closing) return;
  closing = true;
  console.log(`[worker] ${reason}: finishing running jobs (at most ${env.WORKER_SHUTDOWN_SECONDS} s)…`);
  clearInterval(rescheduler);
  const abort = setTimeout(
    () => {
      console.warn("[worker] shutdown deadline near: aborting running jobs; they go back to the queue");
      worker.cancelAllJobs(SHUTDOWN);
      maintenance.cancelAllJobs(SHUTDOWN);
    },
    env.WORKER_SHUTDOWN_SECONDS * 1000 - ABORT_BEFORE_DEADLINE_MS,
  );
  const deadline = setTimeout(() => {
    console.error("[worker] jobs did not stop after being aborted; exiting (they run again after the stalled-job check)");
    process.exit(1);
  }, env.WORKER_SHUTDOWN_SECONDS * 1000);
  deadline.unref();
  // The maintenance worker's close waits for a running retention purge or reconcile, so the database
  // is disconnected only once nothing uses it.
  await Promise.all([worker.close(), maintenance.close()]);
  clearTimeout(abort);
  await closeQueue();
  closeAdminConnections();
  closePublishConnections();
  await prisma.$disconnect();
  connection.disconnect();
  console.log("[worker] closed");
  process.exit(exitCode);
}

// A close that itself fails still ends the process, with the error in the log.
function stop(reason: string, exitCode: number) {
  shutdown(reason, exitCode).catch((error: unknown) => {
    console.error("[worker] closing failed", error);
    process.exit(1);
  });
}

process.on("SIGTERM", () => stop("SIGTERM", 0));
process.on("SIGINT", () => stop("SIGINT", 0));
// As BullMQ's "going to production" guide advises: an error nothing caught means the process may be in
// a bad state, so it is logged and the process closes as on SIGTERM; the orchestrator starts a fresh one.
process.on("uncaughtException", (error) => {
  console.error("[worker] uncaught exception", error);
  stop("uncaughtException", 1);
});
process.on("unhandledRejection", (reason) => {
  console.error("[worker] unhandled rejection", reason);
  stop("unhandledRejection", 1);
});

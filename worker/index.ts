import { Redis } from "ioredis";
import { env } from "~/infra/env.server";
import { logger } from "~/infra/logger.server";
import { prisma } from "~/infra/db.server";
import { createMaintenanceWorker, createStudioWorker, SHUTDOWN } from "~/processors/worker.server";
import { closeAdminConnections } from "~/models/admin.server";
import { closePublishConnections } from "~/processors/publish.server";
import { closeQueue, ensureSchedulers } from "~/infra/queue.server";
import { closeProviderLimits } from "~/infra/provider-limits.server";
import { warmSegmentation } from "~/studio";
import { dependencyChecks, pingWith, startHealthServer } from "~/infra/health.server";

// The worker process: connect, register the processors and the cluster's schedules, and close cleanly.
// On SIGTERM/SIGINT running jobs may finish for most of WORKER_SHUTDOWN_SECONDS; then they are aborted
// and go back to the queue (without spending an attempt), and the process exits within the deadline. Its own errors never kill it
// half-way: an unexpected one is logged and leads to the same orderly shutdown.

const RETENTION_EVERY_MS = 3_600_000;
const SWEEP_EVERY_MS = 24 * 3_600_000;
// The process is gone by WORKER_SHUTDOWN_SECONDS. Running jobs may finish until this long before it;
// then they are aborted and stop at their next checkpoint (image work holds the event loop for seconds).
const ABORT_BEFORE_DEADLINE_MS = Math.min(10_000, (env.WORKER_SHUTDOWN_SECONDS * 1000) / 2);

let closing = false;
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = createStudioWorker({ connection, prefix: env.QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY });
const maintenance = createMaintenanceWorker({ connection, prefix: env.QUEUE_PREFIX });

worker.on("ready", () => logger.info({ concurrency: env.WORKER_CONCURRENCY }, `[worker] ready (concurrency ${env.WORKER_CONCURRENCY})`));
// The segmentation model loads before the first job instead of during it.
warmSegmentation().catch((error: Error) => logger.warn({ error: error.message }, "[worker] segmentation model not warmed"));
worker.on("error", (error) => logger.error({ error: error.message }, "[worker] error"));
maintenance.on("error", (error) => logger.error({ error: error.message }, "[worker] maintenance error"));

// A flushed or restarted Redis loses the schedulers too, so they are put back on every (re)connection
// and once an interval; upserting keeps the schedule, however many workers do it.
function schedule() {
  ensureSchedulers({ reconcileMs: env.RECONCILE_INTERVAL_SECONDS * 1000, retentionMs: RETENTION_EVERY_MS, sweepMs: SWEEP_EVERY_MS }).catch(
    (error: Error) => logger.warn({ error: error.message }, "[worker] schedulers not upserted"),
  );
}
connection.on("ready", schedule);
const rescheduler = setInterval(schedule, env.RECONCILE_INTERVAL_SECONDS * 1000);

// Ready: the database, Redis (this worker's own connection) and the store answer, and the worker is taking jobs.
const healthServer =
  env.WORKER_HEALTH_PORT === undefined
    ? undefined
    : await startHealthServer({
        port: env.WORKER_HEALTH_PORT,
        checks: {
          ...dependencyChecks(pingWith(connection)),
          worker: async () => {
            if (closing || !worker.isRunning()) throw new Error(closing ? "shutting down" : "not running");
          },
        },
      }).then((server) => {
        logger.info({ port: env.WORKER_HEALTH_PORT }, `[worker] health checks on port ${env.WORKER_HEALTH_PORT} (/healthz, /readyz)`);
        return server;
      });

async function shutdown(reason: string, exitCode: number) {
  if (closing) return;
  closing = true;
  logger.info({ reason }, `[worker] ${reason}: finishing running jobs (at most ${env.WORKER_SHUTDOWN_SECONDS} s)…`);
  clearInterval(rescheduler);
  healthServer?.close();
  const abort = setTimeout(
    () => {
      logger.warn("[worker] shutdown deadline near: aborting running jobs; they go back to the queue");
      worker.cancelAllJobs(SHUTDOWN);
      maintenance.cancelAllJobs(SHUTDOWN);
    },
    env.WORKER_SHUTDOWN_SECONDS * 1000 - ABORT_BEFORE_DEADLINE_MS,
  );
  const deadline = setTimeout(() => {
    logger.error("[worker] jobs did not stop after being aborted; exiting (they run again after the stalled-job check)");
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
  closeProviderLimits();
  await prisma.$disconnect();
  connection.disconnect();
  logger.info("[worker] closed");
  process.exit(exitCode);
}

// A close that itself fails still ends the process, with the error in the log.
function stop(reason: string, exitCode: number) {
  shutdown(reason, exitCode).catch((error: unknown) => {
    logger.error({ err: error }, "[worker] closing failed");
    process.exit(1);
  });
}

process.on("SIGTERM", () => stop("SIGTERM", 0));
process.on("SIGINT", () => stop("SIGINT", 0));
// As BullMQ's "going to production" guide advises: an error nothing caught means the process may be in
// a bad state, so it is logged and the process closes as on SIGTERM; the orchestrator starts a fresh one.
process.on("uncaughtException", (error) => {
  logger.error({ err: error }, "[worker] uncaught exception");
  stop("uncaughtException", 1);
});
process.on("unhandledRejection", (reason) => {
  logger.error({ err: reason }, "[worker] unhandled rejection");
  stop("unhandledRejection", 1);
});

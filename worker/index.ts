import { Redis } from "ioredis";
import { env } from "~/env.server";
import { prisma } from "~/db.server";
import { createStudioWorker } from "~/processors/worker.server";
import { closeAdminConnections } from "~/models/admin.server";
import { purgeExpiredJobs } from "~/models/retention.server";

// The worker process: connect, register the processor, close cleanly on SIGTERM/SIGINT so that
// running jobs finish (or go back to the queue) instead of being killed half-way.
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = createStudioWorker({ connection, prefix: env.QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY });

worker.on("ready", () => console.log(`[worker] ready (concurrency ${env.WORKER_CONCURRENCY})`));
worker.on("error", (error) => console.error("[worker] error", error.message));

// Each shop's retention (Settings), applied once an hour by whichever worker takes the lock.
async function applyRetention() {
  const lock = await connection.set(`${env.QUEUE_PREFIX}:retention-lock`, String(process.pid), "EX", 3300, "NX");
  if (!lock) return;
  const { jobs, files } = await purgeExpiredJobs();
  if (jobs > 0) console.log(`[worker] retention: removed ${jobs} finished jobs and ${files} files`);
}
const retention = setInterval(() => void applyRetention().catch((error) => console.error("[worker] retention", error.message)), 3_600_000);
void applyRetention().catch((error) => console.error("[worker] retention", error.message));

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  console.log(`[worker] ${signal}: finishing running jobs…`);
  clearInterval(retention);
  await worker.close();
  closeAdminConnections();
  await prisma.$disconnect();
  connection.disconnect();
  console.log("[worker] closed");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

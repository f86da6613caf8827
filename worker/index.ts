import { Redis } from "ioredis";
import { env } from "~/env.server";
import { prisma } from "~/db.server";
import { createStudioWorker } from "~/processors/worker.server";
import { closeAdminConnections } from "~/models/admin.server";

// The worker process: connect, register the processor, close cleanly on SIGTERM/SIGINT so that
// running jobs finish (or go back to the queue) instead of being killed half-way.
const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = createStudioWorker({ connection, prefix: env.QUEUE_PREFIX, concurrency: env.WORKER_CONCURRENCY });

worker.on("ready", () => console.log(`[worker] ready (concurrency ${env.WORKER_CONCURRENCY})`));
worker.on("error", (error) => console.error("[worker] error", error.message));

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  console.log(`[worker] ${signal}: finishing running jobs…`);
  await worker.close();
  closeAdminConnections();
  await prisma.$disconnect();
  connection.disconnect();
  console.log("[worker] closed");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

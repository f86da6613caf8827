import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { env } from "./env.server";

// One queue for all studio work. Jobs carry ids, never tokens: the worker loads the shop's offline
// session itself. Job ids are deterministic so a double submit does not queue the same work twice.

export const QUEUE_NAME = "studio";

export type StudioJobData =
  | { kind: "generate"; shop: string; jobId: string }
  | { kind: "publish"; shop: string; jobId: string; outputIds: string[] }
  | { kind: "restore"; shop: string; jobId: string; outputIds: string[] };

export const defaultJobOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

let queue: Queue<StudioJobData> | undefined;
let connection: Redis | undefined;

function getQueue(): Queue<StudioJobData> {
  if (!queue) {
    // The web side fails fast when Redis is down (a 503, not a hung request).
    connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
    // Errors surface through enqueue(); without a listener ioredis would print every reconnect attempt.
    connection.on("error", () => {});
    queue = new Queue<StudioJobData>(QUEUE_NAME, { connection, prefix: env.QUEUE_PREFIX, defaultJobOptions });
  }
  return queue;
}

export class QueueUnavailableError extends Error {}

/**
 * `priority` keeps one shop's big batch from starving everyone else: the n-th job of a batch gets
 * priority n, a single job gets 1, so other shops' work interleaves with a 500-product batch instead of
 * waiting behind it (BullMQ runs lower numbers first, FIFO within one number).
 */
export async function enqueue(data: StudioJobData, jobId: string, priority = 1): Promise<void> {
  await withQueue((q) => q.add(data.kind, data, { jobId, priority: Math.min(Math.max(1, priority), 2_097_152) }));
}

/** Takes a job off the queue if it has not started; a running job is locked and stays. */
export async function dequeue(jobId: string): Promise<boolean> {
  return (await withQueue((q) => q.remove(jobId))) === 1;
}

/** Where a queue entry is: "unknown" when Redis has no such job (never queued, removed, or Redis lost it). */
export async function queueJobState(jobId: string): Promise<string> {
  return withQueue((q) => q.getJobState(jobId));
}

async function withQueue<T>(work: (q: Queue<StudioJobData>) => Promise<T>): Promise<T> {
  const q = getQueue();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new QueueUnavailableError("Redis did not answer in time")), 3000).unref(),
  );
  try {
    return await Promise.race([q.waitUntilReady().then(() => work(q)), timeout]);
  } catch (error) {
    throw new QueueUnavailableError(`The job queue is unavailable: ${(error as Error).message}`);
  }
}

export async function closeQueue(): Promise<void> {
  await queue?.close();
  connection?.disconnect();
  queue = undefined;
  connection = undefined;
}

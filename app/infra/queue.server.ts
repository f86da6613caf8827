import { Queue, type JobState as EntryState } from "bullmq";
import { Redis } from "ioredis";
import { env } from "./env.server";

// One queue for all studio work, and one for the cluster's own upkeep (the reconciler and retention),
// so upkeep never waits behind a 250-product batch. Jobs carry ids, never tokens: the worker loads the
// shop's offline session itself. Job ids are deterministic so a double submit does not queue the same
// work twice. The database is the source of truth: what is in Redis can be lost and is rebuilt from it.

export const QUEUE_NAME = "studio";
export const MAINTENANCE_QUEUE_NAME = "studio-maintenance";

export type StudioJobData =
  | { kind: "generate"; shop: string; jobId: string; attempt: number }
  | { kind: "publish"; shop: string; jobId: string; outputIds: string[]; auto?: boolean }
  | { kind: "restore"; shop: string; jobId: string; outputIds: string[] }
  /** One usage charge: `jobId` is the UsageCharge row's id. */
  | { kind: "charge"; shop: string; jobId: string }
  | { kind: "google-batch"; shop: string; batchId: string };

export type MaintenanceJobData = { kind: "reconcile" } | { kind: "retention" } | { kind: "sweep" };

export const defaultJobOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
} as const;

/** One queue entry per attempt: a retry is a new entry, a double submit of the same attempt is not. */
export function generateQueueId(jobId: string, attempt: number) {
  return `generate-${jobId}-${attempt}`;
}

/**
 * The one entry that submits an economy batch to Google's Batch API and then polls it (delayed between
 * polls, so one id for the batch's whole life): its jobs wait on it until the answers are saved.
 */
export function googleBatchQueueId(batchId: string) {
  return `google-batch-${batchId}`;
}

let queue: Queue<StudioJobData> | undefined;
let maintenance: Queue<MaintenanceJobData> | undefined;
let connection: Redis | undefined;

function getConnection(): Redis {
  if (!connection) {
    // The web side fails fast when Redis is down (a 503, not a hung request), and reconnects within half
    // a second of Redis coming back rather than after ioredis's default back-off of up to 2 s.
    connection = new Redis(env.REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 100, 500),
    });
    // Errors surface through the calls below; without a listener ioredis would print every reconnect attempt.
    connection.on("error", () => {});
  }
  return connection;
}

function getQueue(): Queue<StudioJobData> {
  if (!queue) {
    queue = new Queue<StudioJobData>(QUEUE_NAME, { connection: getConnection(), prefix: env.QUEUE_PREFIX, defaultJobOptions });
    // As the connection's: without a listener BullMQ prints each of its errors (console.error) while Redis is down.
    queue.on("error", () => {});
  }
  return queue;
}

function getMaintenanceQueue(): Queue<MaintenanceJobData> {
  if (!maintenance) {
    maintenance = new Queue<MaintenanceJobData>(MAINTENANCE_QUEUE_NAME, {
      connection: getConnection(),
      prefix: env.QUEUE_PREFIX,
      defaultJobOptions: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } },
    });
    maintenance.on("error", () => {});
  }
  return maintenance;
}

export class QueueUnavailableError extends Error {}

export interface QueueEntry {
  data: StudioJobData;
  id: string;
  priority?: number;
}

/**
 * `priority` keeps one shop's big batch from starving everyone else: the n-th job of a batch gets
 * priority n, a single job gets 1, so other shops' work interleaves with a 500-product batch instead of
 * waiting behind it (BullMQ runs lower numbers first, FIFO within one number).
 */
export async function enqueue(data: StudioJobData, jobId: string, priority = 1): Promise<void> {
  await enqueueMany([{ data, id: jobId, priority }]);
}

/** Adds entries in one round trip (a batch of 250 is one call); an id already in the queue is left as it is. */
export async function enqueueMany(entries: QueueEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await withQueue(getQueue(), (q) =>
    q.addBulk(
      entries.map((entry) => ({
        name: entry.data.kind,
        data: entry.data,
        opts: { jobId: entry.id, priority: queuePriority(entry.priority) },
      })),
    ),
  );
}

function queuePriority(priority = 1) {
  return Math.min(Math.max(1, priority), 2_097_151);
}

/** Takes a job off the queue if it has not started; a running job is locked and stays. */
export async function dequeue(jobId: string): Promise<boolean> {
  return (await withQueue(getQueue(), (q) => q.remove(jobId))) === 1;
}

/** Where a queue entry is: "unknown" when Redis has no such job (never queued, removed, or Redis lost it). */
export async function queueJobState(jobId: string): Promise<string> {
  return withQueue(getQueue(), (q) => q.getJobState(jobId));
}

/**
 * Where an entry is: "unknown" when the queue has no such entry (never added, removed, or lost with
 * Redis's data); for a failed one, also why.
 */
export async function findEntry(jobId: string): Promise<{ state: EntryState | "unknown"; failedReason?: string }> {
  return withQueue(getQueue(), async (q) => {
    const state = await q.getJobState(jobId);
    if (state !== "failed") return { state };
    return { state, failedReason: (await q.getJob(jobId))?.failedReason };
  });
}

/** Runs a finished entry again under the same id. */
export async function rerunEntry(jobId: string): Promise<void> {
  await withQueue(getQueue(), async (q) => {
    const entry = await q.getJob(jobId);
    const state = entry ? await entry.getState() : "unknown";
    if (entry && (state === "completed" || state === "failed")) {
      await entry.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
  });
}

/**
 * The cluster's recurring upkeep as BullMQ job schedulers: one schedule for all workers, however many
 * run. Upserting is idempotent and keeps the next run's time, so every worker does it when it starts,
 * when its Redis connection comes back and now and then: a flushed or restarted Redis loses the
 * schedulers with everything else.
 */
export async function ensureSchedulers(every: { reconcileMs: number; retentionMs: number; sweepMs: number }): Promise<void> {
  await withQueue(getMaintenanceQueue(), async (q) => {
    await q.upsertJobScheduler("reconcile", { every: every.reconcileMs }, { name: "reconcile", data: { kind: "reconcile" } });
    await q.upsertJobScheduler("retention", { every: every.retentionMs }, { name: "retention", data: { kind: "retention" } });
    await q.upsertJobScheduler("sweep", { every: every.sweepMs }, { name: "sweep", data: { kind: "sweep" } });
  });
}

/**
 * Without an offline queue a command sent while ioredis reconnects fails at once; a request that
 * arrives just as Redis comes back waits for the connection instead (within withQueue's 3 s).
 */
let readyWaiter: Promise<void> | undefined;

function connectionReady(): Promise<void> {
  const redis = getConnection();
  if (redis.status === "ready") return Promise.resolve();
  readyWaiter ??= new Promise((resolve) =>
    redis.once("ready", () => {
      readyWaiter = undefined;
      resolve();
    }),
  );
  return readyWaiter;
}

async function withQueue<Q extends Queue, T>(q: Q, work: (q: Q) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError("Redis did not answer in time")), 3000);
    timer.unref();
  });
  try {
    return await Promise.race([
      q
        .waitUntilReady()
        .then(() => connectionReady())
        .then(() => work(q)),
      timeout,
    ]);
  } catch (error) {
    throw new QueueUnavailableError(`The job queue is unavailable: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A command on the queue's Redis connection for something that can do without Redis (a cache): its
 * answer, or undefined when Redis does not answer within `ms` or fails.
 */
export async function tryRedis<T>(command: (redis: Redis) => Promise<T>, ms = 1000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([connectionReady().then(() => command(getConnection())), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** For readiness checks: the web's queue connection answers PING (waiting for it to connect first). */
export async function pingQueueRedis(): Promise<void> {
  await connectionReady();
  const answer = await getConnection().ping();
  if (answer !== "PONG") throw new Error(`Redis answered ${answer}`);
}

export async function closeQueue(): Promise<void> {
  await queue?.close();
  await maintenance?.close();
  connection?.disconnect();
  readyWaiter = undefined;
  queue = undefined;
  maintenance = undefined;
  connection = undefined;
}

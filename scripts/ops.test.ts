import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Queue, MetricsTime, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prisma } from "~/infra/db.server";

// `npm run ops` as an operator runs it (its own process, the environment's DATABASE_URL, REDIS_URL and
// QUEUE_PREFIX), against this test file's database and the machine's Redis under a prefix of its own,
// seeded with figures whose printed results are known.

const run = promisify(execFile);
const prefix = `ops-test-${randomBytes(4).toString("hex")}`;
const tag = randomBytes(3).toString("hex");
const SHOP_A = `ops-a-${tag}.myshopify.com`;
const SHOP_B = `ops-b-${tag}.myshopify.com`;
const THROTTLED_SHOP = `ops-throttled-${tag}.myshopify.com`;
const FULL_SHOP = `ops-full-${tag}.myshopify.com`;

const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const queues: Queue[] = [];
const now = Date.now();
/** A fixed point inside the current hour, so every seeded output falls in one row. */
const hourStart = new Date(Math.floor(now / 3_600_000) * 3_600_000);
const inThisHour = new Date(Math.max(hourStart.getTime(), now - 60_000));

beforeAll(async () => {
  // Two queues, as the app has (and as per-provider queues would add): entries of several states.
  const studio = new Queue("studio", { connection: redis, prefix });
  const gemini = new Queue("studio-gemini", { connection: redis, prefix });
  queues.push(studio, gemini);
  await studio.add("generate", { n: 1 }, { timestamp: now - 120_000 });
  await studio.add("generate", { n: 2 }, { timestamp: now - 30_000 });
  await studio.add("generate", { n: 3 }, { priority: 5, timestamp: now - 300_000 });
  await studio.add("generate", { n: 4 }, { delay: 3_600_000 });
  await gemini.add("generate", { n: 5 }, { timestamp: now - 10_000 });

  // BullMQ's metrics, written by a real worker with metrics on: 2 completed and 1 failed this minute.
  const metricsQueue = new Queue("studio-maintenance", { connection: redis, prefix });
  queues.push(metricsQueue);
  const worker = new Worker(
    "studio-maintenance",
    async (job) => {
      if (job.data.fail) throw new Error("failing on purpose");
    },
    { connection: redis.duplicate(), prefix, metrics: { maxDataPoints: MetricsTime.ONE_WEEK } },
  );
  let settled = 0;
  const done = new Promise<void>((resolve) => {
    const count = () => ++settled === 3 && resolve();
    worker.on("completed", count);
    worker.on("failed", count);
  });
  await metricsQueue.addBulk([
    { name: "reconcile", data: {} },
    { name: "reconcile", data: {} },
    { name: "reconcile", data: { fail: true } },
  ]);
  await done;
  await worker.close();

  // Failures: two shops' jobs in the last hour, one older that does not count, one publish.
  const failedAgo = (minutes: number) => new Date(now - minutes * 60_000);
  const job = (shop: string, data: Record<string, unknown>) =>
    prisma.job.create({ data: { shop, productId: "gid://shopify/Product/1", mode: "white", provider: "gemini", ...data } });
  await job(SHOP_A, { status: "failed", errorCode: "PROVIDER_ERROR", finishedAt: failedAgo(10) });
  await job(SHOP_B, { status: "failed", errorCode: "PROVIDER_ERROR", finishedAt: failedAgo(20) });
  await job(SHOP_A, { status: "failed", errorCode: "TIMED_OUT", finishedAt: failedAgo(5) });
  await job(SHOP_A, { status: "failed", errorCode: "RATE_LIMITED", finishedAt: failedAgo(180) });

  // Outputs made this hour: four from Gemini at 1 to 4 s and $0.039 each, two from the local provider.
  const done1 = await job(SHOP_A, { status: "done", finishedAt: inThisHour });
  const output = (provider: string, providerMs: number, costMicros: number, position: number, extra: Record<string, unknown> = {}) =>
    prisma.output.create({
      data: {
        shop: SHOP_A,
        jobId: done1.id,
        position,
        storageKey: `${SHOP_A}/x/${position}.jpg`,
        format: "jpeg",
        width: 2048,
        height: 2048,
        bytes: 1,
        provider,
        providerMs,
        costMicros,
        createdAt: inThisHour,
        ...extra,
      },
    });
  await output("gemini", 3000, 39_000, 0);
  await output("gemini", 1000, 39_000, 1);
  await output("gemini", 4000, 39_000, 2, { errorCode: "MEDIA_TIMEOUT", updatedAt: failedAgo(2) });
  await output("gemini", 2000, 39_000, 3);
  await output("local", 500, 0, 4);
  await output("local", 700, 0, 5);

  // The pacer's shared state: one shop with 5 of 1,000 points left (restoring 1/s), one with a full bucket.
  const [seconds, micros] = await redis.time();
  const at = String(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
  await redis.hset(`${prefix}:throttle:${THROTTLED_SHOP}`, { available: "5", maximum: "1000", rate: "1", at });
  await redis.hset(`${prefix}:throttle:${FULL_SHOP}`, { available: "1000", maximum: "1000", rate: "50", at });
  await redis.pexpire(`${prefix}:throttle:${THROTTLED_SHOP}`, 120_000);
  await redis.pexpire(`${prefix}:throttle:${FULL_SHOP}`, 120_000);
});

afterAll(async () => {
  for (const queue of queues) await queue.obliterate({ force: true }).catch(() => {});
  for (const queue of queues) await queue.close();
  await redis.del(`${prefix}:throttle:${THROTTLED_SHOP}`, `${prefix}:throttle:${FULL_SHOP}`);
  redis.disconnect();
});

function row(output: string, ...starts: string[]): string[] {
  const line = output.split("\n").find((l) => starts.every((start, i) => l.split(/\s{2,}/)[i] === start));
  if (!line) throw new Error(`no line starting with ${starts.join(" | ")} in:\n${output}`);
  return line.trim().split(/\s{2,}/);
}

describe("npm run ops", () => {
  test("prints queue depth, the oldest waiting entry, metrics, failures by code, provider latency and spend, and throttled shops", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/ops.ts"], {
      env: { ...process.env, QUEUE_PREFIX: prefix, REDIS_URL: "redis://127.0.0.1:6379", DATABASE_URL: process.env.DATABASE_URL },
      timeout: 60_000,
    });

    // queue, waiting, prioritized, active, delayed, completed, failed, oldest waiting, done/h, failed/h
    expect(row(stdout, "studio")).toEqual(["studio", "2", "1", "0", "1", "0", "0", "5 min", "0", "0"]);
    const gemini = row(stdout, "studio-gemini");
    expect(gemini.slice(0, 7)).toEqual(["studio-gemini", "1", "0", "0", "0", "0", "0"]);
    expect(gemini[7]).toMatch(/^(1\d|[2-9]\d) s$/);
    expect(row(stdout, "studio-maintenance")).toEqual(["studio-maintenance", "0", "0", "0", "0", "2", "1", "-", "2", "1"]);

    // code, source, count, shops: the 3-hour-old failure is not counted
    expect(row(stdout, "PROVIDER_ERROR")).toEqual(["PROVIDER_ERROR", "job", "2", "2"]);
    expect(row(stdout, "TIMED_OUT")).toEqual(["TIMED_OUT", "job", "1", "1"]);
    expect(row(stdout, "MEDIA_TIMEOUT")).toEqual(["MEDIA_TIMEOUT", "publish", "1", "1"]);
    expect(stdout).not.toContain("RATE_LIMITED");

    // hour, provider, images, p50, p95, spend
    const hour = `${hourStart.toISOString().slice(0, 13)}:00Z`;
    expect(row(stdout, hour, "gemini")).toEqual([hour, "gemini", "4", "2000", "4000", "0.1560"]);
    expect(row(stdout, hour, "local")).toEqual([hour, "local", "2", "500", "700", "0.0000"]);

    // shop, available, maximum, restore/s, in flight, full in: about 990 points at 1/s is some 16 min
    const throttled = row(stdout, THROTTLED_SHOP);
    expect(throttled.slice(2)).toEqual(["1000", "1", "0", expect.stringMatching(/^1[5-7] min$/)]);
    expect(Number(throttled[1])).toBeGreaterThanOrEqual(5);
    expect(Number(throttled[1])).toBeLessThan(100);
    expect(stdout).not.toContain(FULL_SHOP);
  });
});

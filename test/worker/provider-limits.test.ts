import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import sharp from "sharp";
import { createRedisGate, limitKeys, type ProviderLimits } from "~/infra/provider-limits.server";
import { createGeminiProvider } from "~/studio/providers/gemini";
import { DEFAULT_IMAGE_MODEL } from "~/studio/models";
import { startLimitedGeminiFake, type LimitedGeminiFake } from "../fakes/limited-gemini-fake";

// The paid providers' limits are the cluster's, not one worker's: two BullMQ workers, each with its own
// Redis connection and its own gate (as two processes have), run generate-shaped jobs through the real
// Gemini SDK against a stand-in that keeps its own rate limit and records what reached it. The shared
// Redis is used under a prefix of this run's own, and only that prefix's keys are removed afterwards.

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `limits-test-${randomUUID().slice(0, 8)}`;
const QUEUE = "studio";

let fake: LimitedGeminiFake;
let photo: Buffer;
const connections: Redis[] = [];
const workers: Worker[] = [];
let queue: Queue;

function connect() {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
}

/** One worker as a worker process would run it: its own connection, its own gate, its own provider. */
function startWorker(limits: ProviderLimits, concurrency: number, ran: string[], name: string) {
  const redis = connect();
  const gate = createRedisGate({ redis, prefix, limits, leaseMs: 5000, log: () => {} });
  const provider = createGeminiProvider(
    { apiKey: "test", model: DEFAULT_IMAGE_MODEL, baseUrl: fake.url },
    { attempts: 1, baseDelayMs: 1 },
    gate,
  );
  const worker = new Worker(
    QUEUE,
    async (job: Job) => {
      const answer = await provider.createImage({ prompt: `job ${job.id}`, photos: [photo], ratio: "1:1", size: 1024 });
      ran.push(name);
      return answer.image.length;
    },
    { connection: connect(), prefix, concurrency },
  );
  workers.push(worker);
  return worker;
}

const limits = (rpm: number, concurrency: number): ProviderLimits => ({
  gemini: { rpm, concurrency },
  vertex: { rpm: 1, concurrency: 1 },
  "openai-compatible": { rpm: 1, concurrency: 1 },
});

/** The most arrivals within any `windowMs`. */
function busiestWindow(arrivals: number[], windowMs: number) {
  let most = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (arrivals[i] - arrivals[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function drained(jobs: Job[]) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const states = await Promise.all(jobs.map((job) => job.getState()));
    if (states.every((state) => state === "completed" || state === "failed")) return states;
    if (Date.now() > deadline) throw new Error(`jobs not finished: ${states.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c08040" } })
    .png()
    .toBuffer();
  queue = new Queue(QUEUE, { connection: connect(), prefix });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
  await queue.obliterate({ force: true });
  const redis = connections[0];
  const keys = limitKeys(prefix, "gemini");
  await redis.del(keys.next, keys.leases, keys.paused);
  await fake?.close();
});

afterAll(async () => {
  await queue.close();
  for (const redis of connections) redis.disconnect();
});

describe("provider limits shared by every worker", () => {
  test("two workers together keep the provider's requests per minute and requests at once", async () => {
    // 600 a minute is one request every 100 ms; at most 2 at once although the workers could run 8.
    fake = await startLimitedGeminiFake({ rpm: 600, latencyMs: 150, image: photo });
    const ran: string[] = [];
    startWorker(limits(600, 2), 4, ran, "one");
    startWorker(limits(600, 2), 4, ran, "two");
    const jobs = await queue.addBulk(Array.from({ length: 24 }, (_, i) => ({ name: "generate", data: { i } })));
    const states = await drained(jobs);

    expect(states.every((state) => state === "completed")).toBe(true);
    expect(new Set(ran)).toEqual(new Set(["one", "two"]));
    expect(fake.refusals).toHaveLength(0);
    expect(fake.maxInFlight).toBeLessThanOrEqual(2);
    // The pace is kept on Redis's clock; arrivals here can only drift apart by the network's jitter,
    // which a one-request allowance covers: never 12 in a second.
    expect(busiestWindow(fake.arrivals, 1000)).toBeLessThanOrEqual(11);
    expect(fake.arrivals).toHaveLength(24);
  });

  test.each([
    ["Google's RetryInfo", false],
    ["a Retry-After header", true],
  ])("a 429 with %s pauses every worker for the delay asked, and costs no attempt", async (_name, header) => {
    fake = await startLimitedGeminiFake({ rpm: Infinity, latencyMs: 50, image: photo });
    fake.refuseNext(1, 2000, { header });
    const ran: string[] = [];
    const failed: string[] = [];
    // One request at a time, so what reaches the provider after the 429 was sent once the pause was set.
    for (const name of ["one", "two"]) startWorker(limits(6000, 1), 2, ran, name).on("failed", (job) => failed.push(String(job?.id)));
    const jobs = await queue.addBulk(
      Array.from({ length: 6 }, (_, i) => ({
        name: "generate",
        data: { i },
        opts: { attempts: 3, backoff: { type: "fixed", delay: 10 } },
      })),
    );
    const states = await drained(jobs);

    expect(states.every((state) => state === "completed")).toBe(true);
    expect(failed).toEqual([]);
    const [refusedAt] = fake.refusals;
    expect(fake.refusals).toHaveLength(1);
    // Both workers had requests waiting; none reached the provider until the 2 s asked for were over
    // (Retry-After is whole seconds, RetryInfo as given: 2 s either way). Both then ran jobs.
    const after = fake.arrivals.filter((at) => at > refusedAt);
    expect(after).toHaveLength(6);
    expect(after[0] - refusedAt).toBeGreaterThanOrEqual(1990);
    expect(new Set(ran)).toEqual(new Set(["one", "two"]));
    expect(fake.answered).toBe(6);
    for (const job of jobs) {
      const finished = (await Job.fromId(queue, job.id!))!;
      // One attempt, the one that finished (BullMQ counts it when it ends): the 429 was waited out
      // inside it rather than failing it.
      expect(finished.attemptsMade).toBe(1);
    }
  });

  test("a worker that dies holding a place gives it back when its lease runs out", async () => {
    fake = await startLimitedGeminiFake({ rpm: Infinity, latencyMs: 10, image: photo });
    const redis = connect();
    const keys = limitKeys(prefix, "gemini");
    // A lease as a killed worker leaves it: taken, never renewed, never given back.
    await redis.zadd(keys.leases, Date.now() + 1500, "killed-worker-lease");
    const gate = createRedisGate({ redis, prefix, limits: limits(60_000, 1), leaseMs: 1500, log: () => {} });
    const started = Date.now();
    await gate.run("gemini", undefined, async () => undefined);
    // The one place was taken until the dead lease expired, then free again.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await redis.zcard(keys.leases)).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { Pipeline, Redis } from "ioredis";
import { Queue } from "bullmq";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import { startPrivateRedis, type PrivateRedis } from "../private-redis";
import { testDatabaseKind } from "../db";
import { createPrismaClient } from "~/infra/prisma-client.server";
import type * as DbModule from "~/infra/db.server";
import type * as GenerateRoute from "~/routes/api.generate";

// A 5,000-product bulk action against the emulator, in one request: all or nothing when the database
// fails half-way (a real trigger aborts the 2,500th job's insert), and then, without the fault, a
// bounded number of SQL statements (counted from Prisma's query event) and Redis round trips (counted by
// a private redis-server's own command statistics) whatever the batch's size.

const PRODUCTS = 5_000;
const FAIL_AT = 2_500;

let app: AppTest;
let redis: PrivateRedis;
let stats: Redis;
let queue: Queue;
let statements: string[] = [];
let prisma: typeof DbModule.prisma;
let generate: typeof GenerateRoute;
let productIds: string[];
let sourceCount: number;

/** Commands Redis ran, with those run inside scripts (BullMQ's job adds are scripts). */
async function commandsProcessed(): Promise<number> {
  const info = await stats.info("stats");
  return Number(/^total_commands_processed:(\d+)/m.exec(info)![1]);
}

/**
 * Round trips the app makes to Redis while `work` runs: each command sent on its own, plus each pipeline
 * (addBulk sends its whole chunk as one). Only the app's connections count, not this test's.
 */
async function countRoundTrips<T>(work: () => Promise<T>) {
  const own = new Set<unknown>([stats, testConnection]);
  let single = 0;
  let commands = 0;
  let pipelines = 0;
  const send = vi.spyOn(Redis.prototype, "sendCommand").mockImplementation(function (this: Redis, ...args) {
    // A pipeline hands each of its commands over with its own write buffer: one write for all of them.
    if (!own.has(this)) {
      commands++;
      if (args[1] === undefined) single++;
    }
    return originalSend.apply(this, args);
  });
  const exec = vi.spyOn(Pipeline.prototype, "exec").mockImplementation(function (this: Pipeline, ...args) {
    if (!own.has(this.redis)) pipelines++;
    return originalExec.apply(this, args);
  });
  try {
    const result = await work();
    return { result, single, pipelines, commands };
  } finally {
    send.mockRestore();
    exec.mockRestore();
  }
}

const originalSend = Redis.prototype.sendCommand;
const originalExec = Pipeline.prototype.exec;
let testConnection: Redis;

async function postSelection() {
  const request = await asShop(SHOP_A, "/api/generate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ productIds, mode: "white" }),
  });
  return call(generate.action, request);
}

async function installFault() {
  if (testDatabaseKind() === "sqlite") {
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER fail_mid_batch BEFORE INSERT ON "Job" WHEN NEW."priority" = ${FAIL_AT} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    );
  } else {
    await prisma.$executeRawUnsafe(
      `CREATE FUNCTION fail_mid_batch() RETURNS trigger AS $$ BEGIN IF NEW."priority" = ${FAIL_AT} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await prisma.$executeRawUnsafe(`CREATE TRIGGER fail_mid_batch BEFORE INSERT ON "Job" FOR EACH ROW EXECUTE FUNCTION fail_mid_batch()`);
  }
}

async function removeFault() {
  await prisma.$executeRawUnsafe(`DROP TRIGGER fail_mid_batch${testDatabaseKind() === "sqlite" ? "" : ` ON "Job"`}`);
}

beforeAll(async () => {
  app = await startAppTest({ productCount: PRODUCTS });
  // An Enterprise store's limits (2,000 points/s, 20,000 bucket): 66 nodes(ids:) calls of 76 products.
  app.emulator.setThrottle({ restoreRate: 2_000, bucketSize: 20_000 });
  redis = await startPrivateRedis();
  process.env.REDIS_URL = redis.url;
  stats = new Redis(redis.url);
  // The app's own Prisma client, made before ~/infra/db.server is imported so it is the one the app uses.
  const url = process.env.DATABASE_URL!;
  globalThis.__studioPrisma = { url, client: createPrismaClient(url, { onQuery: (query) => statements.push(query) }) };
  prisma = (await import("~/infra/db.server")).prisma;
  generate = await import("~/routes/api.generate");
  testConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  queue = new Queue("studio", { connection: testConnection, prefix: app.queuePrefix });
  const products = [...app.emulator.state.shops.get(SHOP_A)!.products.values()];
  productIds = products.map((product) => product.id);
  sourceCount = products.reduce((sum, product) => sum + Math.min(5, product.mediaIds.length), 0);
  if (productIds.length !== PRODUCTS) throw new Error(`The emulator seeded ${productIds.length} products`);
}, 300_000);

afterAll(async () => {
  await queue?.close();
  testConnection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  await closeQueue();
  stats?.disconnect();
  await redis?.stop();
  await app?.stop();
});

describe("a 5,000-product bulk action", () => {
  test("is all or nothing: a database failure at the 2,500th job leaves no batch, job, photo, reservation or queue entry", async () => {
    await installFault();
    try {
      const error = await postSelection().then(
        () => null,
        (thrown: Error) => thrown,
      );
      // SQLite reports the trigger's abort as a constraint violation, PostgreSQL with its message.
      expect(error?.message).toMatch(/createMany/);
    } finally {
      await removeFault();
    }
    expect(await prisma.batch.count({ where: { shop: SHOP_A } })).toBe(0);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(0);
    expect(await prisma.sourceImage.count({ where: { shop: SHOP_A } })).toBe(0);
    expect((await prisma.usage.findMany({ where: { shop: SHOP_A } })).every((usage) => usage.reserved === 0)).toBe(true);
    const counts = await queue.getJobCounts();
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(0);
  }, 600_000);

  test("is created in one request with a bounded number of SQL statements and Redis round trips", async () => {
    statements = [];
    const before = await commandsProcessed();
    const started = Date.now();
    const { result: response, single, pipelines, commands } = await countRoundTrips(postSelection);
    const elapsed = Date.now() - started;
    const processed = (await commandsProcessed()) - before - 1;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { batchId: string; jobs: { id: string }[]; alreadyRunning: number; queueDelayed: boolean };
    expect(body).toMatchObject({ alreadyRunning: 0, queueDelayed: false });
    expect(body.jobs).toHaveLength(PRODUCTS);

    // Everything is there, once: one batch, a job per product, its photos, a queue entry per job.
    expect(await prisma.batch.count({ where: { shop: SHOP_A } })).toBe(1);
    expect(await prisma.job.count({ where: { shop: SHOP_A, batchId: body.batchId, status: "queued" } })).toBe(PRODUCTS);
    expect(await prisma.sourceImage.count({ where: { shop: SHOP_A } })).toBe(sourceCount);
    const counts = await queue.getJobCounts();
    expect(counts.prioritized + counts.waiting).toBe(PRODUCTS);

    // SQL: a constant few (session, settings, transaction, lock, the running jobs) plus the inserts of
    // createMany, which Prisma cuts to the database's bound-parameter limit (999 on SQLite, so about 75
    // jobs or 110 photos a statement; far more on PostgreSQL). One insert per row would be 14,000.
    const inserts = statements.filter((sql) => /^\s*INSERT/i.test(sql)).length;
    console.log(
      `[scale] ${PRODUCTS} products, ${sourceCount} photos: ${statements.length} SQL statements (${inserts} INSERT), ${elapsed} ms`,
    );
    expect(inserts).toBeLessThanOrEqual(Math.ceil((PRODUCTS + sourceCount) / 50));
    expect(statements.length - inserts).toBeLessThanOrEqual(20);

    // Redis: one pipeline per addBulk chunk of 500 (one script call per job in it), and a few single
    // commands besides: the shared Admin API pacer's (about two per nodes(ids:) call) and BullMQ's start.
    const { ENQUEUE_CHUNK } = await import("~/models/batch-create.server");
    const { PRODUCTS_PER_NODES_CALL } = await import("~/shopify/bulk-read.server");
    const nodesCalls = Math.ceil(PRODUCTS / PRODUCTS_PER_NODES_CALL);
    console.log(
      `[scale] Redis: ${commands} commands sent in ${pipelines} pipelines and ${single} single round trips (${nodesCalls} nodes calls); ${processed} run with those inside scripts`,
    );
    expect(pipelines).toBe(Math.ceil(PRODUCTS / ENQUEUE_CHUNK));
    expect(single).toBeLessThanOrEqual(3 * nodesCalls + 20);
    expect(commands).toBeLessThanOrEqual(PRODUCTS + 3 * nodesCalls + 20);
  }, 600_000);

  test("sent again, adds nothing: every product is already in the running batch", async () => {
    const before = await prisma.job.count({ where: { shop: SHOP_A } });
    const response = await postSelection();
    expect(response.status).toBe(200);
    const body = (await response.json()) as { batchId: string; jobs: { id: string }[]; alreadyRunning: number };
    expect(body.alreadyRunning).toBe(PRODUCTS);
    expect(body.jobs).toHaveLength(PRODUCTS);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(before);
    expect(await prisma.batch.count({ where: { shop: SHOP_A } })).toBe(1);
    // The answer points at the batch that already has them.
    expect(body.batchId).toBe((await prisma.batch.findFirstOrThrow({ where: { shop: SHOP_A } })).id);
  }, 600_000);
});

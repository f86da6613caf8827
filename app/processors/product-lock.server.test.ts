import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createLock } from "./product-lock.server";

// The product lock against real Redis: the machine's shared one for the happy paths (keys of this run
// only), and a private redis-server that the test kills for the lost-lock path.

const connections: Redis[] = [];
function connect(port = 6379) {
  const redis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1, connectTimeout: 500, retryStrategy: () => 200 });
  redis.on("error", () => {});
  connections.push(redis);
  return redis;
}

afterAll(() => connections.forEach((c) => c.disconnect()));

const key = () => `test-lock:${randomUUID()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FAST = { ttlMs: 600, renewMs: 150, waitMs: 10_000 };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const probe = connect(port);
  for (let i = 0; i < 50 && probe.status !== "ready"; i++) await sleep(100);
  return { port, child };
}

describe("the product lock", () => {
  it("lets one holder work at a time, across connections, and each in turn", async () => {
    const name = key();
    const locks = [createLock(connect(), name, FAST), createLock(connect(), name, FAST)];
    const events: string[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        locks[i % 2](async () => {
          events.push(`in ${i}`);
          await sleep(20);
          events.push(`out ${i}`);
        }),
      ),
    );
    expect(events).toHaveLength(12);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i].replace("in", "out")).toBe(events[i + 1]);
    }
  });

  it("is released when the work throws, so the next holder gets it", async () => {
    const lock = createLock(connect(), key(), FAST);
    await expect(lock(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await lock(async () => "second")).toBe("second");
  });

  it("expires on its own when its holder is gone, and the holder's work is told it lost the lock", async () => {
    const name = key();
    const dying = connect();
    let holderSignal: AbortSignal | undefined;
    const held = createLock(
      dying,
      name,
      FAST,
    )(async (signal) => {
      holderSignal = signal;
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
    });
    await sleep(50);
    dying.disconnect();

    const next = await createLock(connect(), name, FAST)(async () => "acquired after expiry");
    expect(next).toBe("acquired after expiry");
    await held;
    expect(holderSignal?.aborted).toBe(true);
  });

  it("aborts the work when another holder has taken it over", async () => {
    const name = key();
    const redis = connect();
    const outcome = createLock(
      redis,
      name,
      FAST,
    )(async (signal) => {
      await redis.set(name, "someone else");
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      return (signal.reason as Error).message;
    });
    expect(await outcome).toMatch(/taken over/);
    expect(await redis.get(name)).toBe("someone else");
  });

  it("aborts the work, with no unhandled rejection, when Redis dies while the lock is held", async () => {
    const { port, child } = await startRedis();
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const outcome = createLock(
        connect(port),
        key(),
        FAST,
      )(async (signal) => {
        child.kill("SIGKILL");
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        return (signal.reason as Error).message;
      });
      expect(await outcome).toMatch(/could not be renewed/);
      await sleep(400);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
      child.kill("SIGKILL");
    }
  });

  it("gives up waiting for another holder after waitMs, with a message saying why", async () => {
    const name = key();
    let release = () => {};
    const holding = createLock(connect(), name, FAST)(() => new Promise<void>((resolve) => (release = resolve)));
    await sleep(50);
    await expect(createLock(connect(), name, { ...FAST, waitMs: 300 })(async () => "never")).rejects.toThrow(/held it for over/);
    release();
    await holding;
  });

  it("stops waiting when the job waiting for it is aborted", async () => {
    const name = key();
    let release = () => {};
    const holding = createLock(connect(), name, FAST)(() => new Promise<void>((resolve) => (release = resolve)));
    await sleep(50);
    const aborting = new AbortController();
    const waiting = createLock(connect(), name, FAST, aborting.signal)(async () => "never");
    aborting.abort(new Error("shutdown deadline"));
    await expect(waiting).rejects.toThrow("shutdown deadline");
    release();
    await holding;
  });
});

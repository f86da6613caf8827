import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { call, startAppTest, type AppTest } from "../app";
import { startPrivateRedis, untilReady, type PrivateRedis } from "../private-redis";
import { captureLogs } from "~/infra/logger.server";
import type * as HealthModule from "~/infra/health.server";
import type * as HealthzRoute from "~/routes/healthz";
import type * as ReadyzRoute from "~/routes/readyz";

// /healthz and /readyz of the web process, and the worker's health port, against real dependencies: the
// test's database, a private Redis this test stops and starts, and an S3 server on loopback it stops.

let app: AppTest;
let redis: PrivateRedis;
let routes: { healthz: typeof HealthzRoute; readyz: typeof ReadyzRoute };
let health: typeof HealthModule;

beforeAll(async () => {
  redis = await startPrivateRedis();
  process.env.TEST_STORAGE = "s3";
  app = await startAppTest();
  process.env.REDIS_URL = redis.url;
  routes = { healthz: await import("~/routes/healthz"), readyz: await import("~/routes/readyz") };
  health = await import("~/infra/health.server");
});

afterAll(async () => {
  await (await import("~/infra/queue.server")).closeQueue();
  await redis?.stop();
  await app?.stop();
  delete process.env.TEST_STORAGE;
});

type Body = { ok: boolean; checks: Record<string, { ok: boolean; ms: number; error?: string }> };

async function readyz(): Promise<{ status: number; body: Body }> {
  const response = await call(routes.readyz.loader, new Request("http://localhost:3000/readyz"));
  return { status: response.status, body: (await response.json()) as Body };
}

async function probeUntilReady(): Promise<{ status: number; body: Body }> {
  let result = await captureLogs(() => readyz());
  for (let i = 0; i < 20 && result.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    result = await captureLogs(() => readyz());
  }
  return result;
}

describe("the web process", () => {
  test("/readyz answers 200 with each dependency, 503 naming Redis while it is down, and 200 again once it is back", async () => {
    const healthz = await call(routes.healthz.loader, new Request("http://localhost:3000/healthz"));
    expect(healthz.status).toBe(200);

    // The first probe connects to Redis and loads the AWS SDK, which can take longer than a check's 2 s on a
    // loaded machine: as an orchestrator does, probe again until ready.
    const up = await probeUntilReady();
    expect(up.status).toBe(200);
    expect(up.body.ok).toBe(true);
    expect(Object.keys(up.body.checks).sort()).toEqual(["database", "redis", "storage"]);
    for (const check of Object.values(up.body.checks)) expect(check.ok).toBe(true);

    await redis.stop();
    const [down, warnings] = await captureLogs(async (lines) => [await readyz(), lines] as const);
    expect(down.status).toBe(503);
    expect(down.body.checks.redis.ok).toBe(false);
    expect(down.body.checks.redis.error).toBeTruthy();
    expect(down.body.checks.database.ok).toBe(true);
    expect(down.body.checks.storage.ok).toBe(true);
    // Within the check's time limit, not a hung probe.
    expect(down.body.checks.redis.ms).toBeLessThanOrEqual(health.CHECK_TIMEOUT_MS + 500);
    expect(warnings).toContainEqual(expect.objectContaining({ level: 40, msg: "[health] not ready: redis" }));
    // Liveness does not depend on Redis.
    expect((await call(routes.healthz.loader, new Request("http://localhost:3000/healthz"))).status).toBe(200);

    await redis.start();
    expect((await probeUntilReady()).status).toBe(200);
  });

  test("/readyz answers 503 naming the storage when the object store is gone", async () => {
    await app.s3!.stop();
    const down = await captureLogs(() => readyz());
    expect(down.status).toBe(503);
    expect(down.body.checks.storage.ok).toBe(false);
    expect(down.body.checks.redis.ok).toBe(true);
    expect(down.body.checks.database.ok).toBe(true);
    app.s3 = undefined;
  });
});

describe("checks", () => {
  test("a dependency that does not answer fails at the time limit", async () => {
    const result = await captureLogs(() => health.readiness({ hung: () => new Promise(() => {}), fine: async () => undefined }, 200));
    expect(result.ok).toBe(false);
    expect(result.checks.hung).toMatchObject({ ok: false, error: "no answer within 200 ms" });
    expect(result.checks.fine.ok).toBe(true);
  });
});

describe("the worker's health port", () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  test("serves /healthz and /readyz with the same checks over HTTP", async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    await untilReady(connection);
    server = await health.startHealthServer({
      port: 0,
      host: "127.0.0.1",
      checks: { ...health.dependencyChecks(health.pingWith(connection)), storage: async () => undefined },
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as Body).checks.redis.ok).toBe(true);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    connection.disconnect();
    const notReady = await captureLogs(() => fetch(`${base}/readyz`));
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as Body).checks.redis.ok).toBe(false);
  });
});

import { createServer, type Server } from "node:http";
import type { Redis } from "ioredis";
import { prisma } from "./db.server";
import { logger } from "./logger.server";
import { checkStorage } from "./storage.server";

// Liveness and readiness, the same for the web process (/healthz and /readyz routes), the worker (its
// small health port, WORKER_HEALTH_PORT) and `npm run worker:health`. Live: the process answers, nothing
// else is asked. Ready: the database, Redis and the file store each answered within their time limit.

/** Each dependency gets this long; a check that takes longer counts as failed. */
export const CHECK_TIMEOUT_MS = 2000;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, CheckResult>;
}

export type Checks = Record<string, () => Promise<unknown>>;

async function runCheck(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each within `timeoutMs`. */
export async function readiness(checks: Checks, timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runCheck(checks[name], timeoutMs)));
  const byName = Object.fromEntries(names.map((name, i) => [name, results[i]]));
  const ok = results.every((result) => result.ok);
  if (!ok) {
    const failed = Object.fromEntries(Object.entries(byName).filter(([, result]) => !result.ok));
    logger.warn({ failed }, `[health] not ready: ${Object.keys(failed).join(", ")}`);
  }
  return { ok, checks: byName };
}

/** The database, Redis (through `ping`) and the file store: what both processes need. */
export function dependencyChecks(pingRedis: () => Promise<unknown>): Checks {
  return {
    database: () => prisma.$queryRaw`SELECT 1`,
    redis: pingRedis,
    storage: checkStorage,
  };
}

export function pingWith(redis: Redis): () => Promise<unknown> {
  return async () => {
    const answer = await redis.ping();
    if (answer !== "PONG") throw new Error(`Redis answered ${answer}`);
  };
}

export function readinessResponse(result: Readiness): Response {
  return Response.json(result, { status: result.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}

/**
 * The worker's health port: GET /healthz answers 200 while the process runs, GET /readyz runs the
 * checks (200, or 503 naming what failed). Bound to `host` (all interfaces by default, as an
 * orchestrator's probe comes from outside the container); it serves nothing else.
 */
export function startHealthServer(options: { port: number; host?: string; checks: Checks }): Promise<Server> {
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, { ok: false });
    if (path === "/healthz") return send(200, { ok: true });
    if (path === "/readyz") {
      readiness(options.checks).then(
        (result) => send(result.ok ? 200 : 503, result),
        (error: Error) => send(503, { ok: false, error: error.message }),
      );
      return;
    }
    send(404, { ok: false });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}

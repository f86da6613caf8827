// `npm run worker:health`: the worker's readiness checks, once, from a fresh process with the worker's
// environment (the same .env and validation): the database, Redis and the file store, each within 2 s.
// Prints the result as JSON and exits 0 when all answered, 1 otherwise: for an exec probe, or an operator
// on a worker machine. A running worker with WORKER_HEALTH_PORT set answers the same on GET /readyz.
import { Redis } from "ioredis";
import { env } from "~/infra/env.server";
import { prisma } from "~/infra/db.server";
import { dependencyChecks, pingWith, readiness } from "~/infra/health.server";

const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null, lazyConnect: true });
redis.on("error", () => {});
const result = await readiness(
  dependencyChecks(async () => {
    await redis.connect();
    await pingWith(redis)();
  }),
);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
redis.disconnect();
await prisma.$disconnect();
process.exit(result.ok ? 0 : 1);

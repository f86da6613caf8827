import { findLostRows } from "../audit.ts";
import { check, outcome, BOTH, type Scenario } from "../scenario.ts";
import { TIMINGS } from "../stack.ts";
import { pollFor } from "../util.ts";

/** One reconciler run after Redis is back, and the time the 10 local jobs then take. */
const RECOVER_MS = (TIMINGS.RECONCILE_INTERVAL_SECONDS + 5) * 1000;
const FINISH_MS = 90_000;
const COUNT = 10;

/**
 * Issue 11's batch creation: the rows are written in one transaction, then queued with addBulk. Redis
 * going away between the two must lose nothing and duplicate nothing: the database is the source of
 * truth, the reconciler queues what addBulk could not, and a resubmit adds no second job for a product
 * that already has one running.
 */
export const scenario: Scenario = {
  id: 18,
  fault: `Redis unreachable for the web and the workers (connections reset, new ones refused) while a ${COUNT}-product bulk request is made; Redis back 5 s later; the same request sent again while the jobs run`,
  expected:
    "the batch is stored whole and answered; within one reconciler interval of Redis coming back every job is queued, and each product ends done with one output, once; the resubmit adds no job",
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop("bulk", { provider: "local" });
    const ids = ctx
      .products(client)
      .slice(0, COUNT)
      .map((p) => p.id);

    chaos.redisProxy.cut();
    const answer = await client.bulk(ids);
    // The fault must meet the enqueue, or the scenario would not test what it says.
    const delayed = (answer.data as { queueDelayed?: boolean }).queueDelayed === true;
    const stored = await ctx.prisma.job.findMany({ where: { shop: client.shop }, select: { id: true, productId: true } });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    chaos.redisProxy.restore();
    const backAt = Date.now();

    const queued = await pollFor(
      () => findLostRows(chaos, client.shop),
      (lost) => lost.length === 0,
      RECOVER_MS,
      200,
    );
    const queuedInMs = Date.now() - backAt;

    const again = await client.bulk(ids);
    const afterResubmit = await ctx.prisma.job.count({ where: { shop: client.shop } });

    const finished = await pollFor(
      () => ctx.prisma.job.findMany({ where: { shop: client.shop }, select: { status: true, _count: { select: { outputs: true } } } }),
      (jobs) => jobs.every((j) => ["done", "failed", "cancelled"].includes(j.status)),
      FINISH_MS,
      500,
    );
    const done = finished.value.filter((j) => j.status === "done" && j._count.outputs === 1).length;
    const products = new Set(stored.map((j) => j.productId));
    const usage = await ctx.usage(client);
    const outputs = await ctx.prisma.output.count({ where: { shop: client.shop, NOT: { storageKey: "pending" } } });

    return outcome([
      check(
        answer.status === 200 && delayed && stored.length === COUNT && products.size === COUNT,
        `the request while Redis was away answered ${answer.status}${delayed ? " (queueing left to the reconciler)" : " without meeting the fault"}; ${stored.length} job row(s) stored for ${products.size} product(s)`,
      ),
      check(
        queued.ok,
        queued.ok
          ? `every row queued ${(queuedInMs / 1000).toFixed(1)} s after Redis came back`
          : `${queued.value.length} row(s) still without a queue entry: ${queued.value.join("; ")}`,
      ),
      check(
        again.status === 200 && afterResubmit === COUNT,
        `the resubmit answered ${again.status}; the shop has ${afterResubmit} job(s) for ${COUNT} products`,
      ),
      check(finished.ok && done === COUNT, `${done} of ${COUNT} job(s) done with exactly one output`),
      check(usage === outputs, `usage ${usage} for ${outputs} output(s)`),
    ]);
  },
};

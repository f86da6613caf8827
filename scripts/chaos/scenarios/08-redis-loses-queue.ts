import { findLostRows, BUSY_OUTPUT } from "../audit.ts";
import { pagePolls } from "../client.ts";
import { check, type Check, outcome, SQLITE, type Scenario, type ScenarioContext } from "../scenario.ts";
import { TIMINGS } from "../stack.ts";
import { pollFor } from "../util.ts";

/** One reconciler run after the fault, and the few seconds it and the queue take to act on it. */
const RECONCILE_MS = (TIMINGS.RECONCILE_INTERVAL_SECONDS + 5) * 1000;

/**
 * A store with work in every state: one output publishing (its media held PROCESSING), one job running
 * (held at the model), two queued behind them (two worker slots). Then `fault` empties Redis.
 */
async function loseQueue(ctx: ScenarioContext, name: string, label: string, what: string, fault: () => Promise<void>): Promise<Check[]> {
  const { chaos } = ctx;
  const client = await ctx.shop(name);
  const [toPublish, ...others] = ctx.products(client);
  const done = await ctx.doneJob(client, toPublish);
  const processing = chaos.emulator.faults.holdProcessing(client.shop);
  const log = chaos.emulator.faults.attached.length;
  await ctx.publish(client, done.jobId, done.outputIds);
  await ctx.waitForAttach(client, toPublish.id, log);
  chaos.gemini.hold();
  const jobs = [done.jobId];
  for (const product of others.slice(0, 3)) jobs.push(await ctx.startJob(client, product));
  await chaos.gemini.waitForHeld(1);
  const before = await Promise.all(jobs.map(async (id) => (await ctx.page(client, id)).job.status));
  // In flight: "publishing" while queued, "attaching" once productUpdate has run (its media held PROCESSING).
  const publishing = (await ctx.outputs(client, done.jobId)).some((o) => BUSY_OUTPUT.includes(o.reviewState));
  // The fault must meet work in every state, or the scenario would not test what it says.
  const arranged = before.includes("queued") && before.some((s) => ["analysing", "generating", "checking"].includes(s)) && publishing;

  await fault();
  const faultAt = Date.now();
  chaos.gemini.release();
  processing.release();
  const recovered = await pollFor(
    () => findLostRows(chaos, client.shop),
    (lost) => lost.length === 0,
    RECONCILE_MS,
    200,
  );
  const recoveredInMs = Date.now() - faultAt;
  const settled = await pollFor(
    async () => Promise.all(jobs.map((id) => ctx.page(client, id))),
    (pages) => pages.every((p) => !pagePolls(p)),
    20_000,
    250,
  );
  const polling = settled.value.filter(pagePolls);
  const usage = await ctx.usage(client);
  const outputs = await ctx.prisma.output.count({ where: { shop: client.shop, NOT: { storageKey: "pending" } } });
  return [
    check(
      arranged,
      `${label}: ${what} with rows ${before.map((s) => `"${s}"`).join(", ")} and an output ${publishing ? "" : "not "}in flight`,
    ),
    check(
      recovered.ok,
      recovered.ok
        ? `${label}: every row finished or queued again ${(recoveredInMs / 1000).toFixed(1)} s after it`
        : `${label}: ${recovered.value.length} row(s) neither finished nor queued ${RECONCILE_MS / 1000} s after it: ${recovered.value.join("; ")}`,
    ),
    check(
      settled.ok,
      settled.ok
        ? `${label}: every page stopped polling`
        : `${label}: ${polling.length} page(s) still polling (${polling.map((p) => `"${p.job.status}"`).join(", ")})`,
    ),
    check(usage === outputs, `${label}: usage ${usage} for ${outputs} output(s)`),
  ];
}

export const scenario: Scenario = {
  id: 8,
  fault: "Redis FLUSHALL, and separately a restart of Redis (no persistence), while rows are queued, running and publishing",
  expected: `within one reconciler interval (${TIMINGS.RECONCILE_INTERVAL_SECONDS} s) every row is finished or queued again, and the pages stop polling`,
  databases: SQLITE,
  async run(ctx) {
    const { redis } = ctx.chaos;
    return outcome([
      ...(await loseQueue(ctx, "flush", "(a)", "FLUSHALL", () => redis.flushAll())),
      ...(await loseQueue(ctx, "restart", "(b)", "restart", () => redis.restart())),
    ]);
  },
};

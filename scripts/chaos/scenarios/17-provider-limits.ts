import { check, outcome, SQLITE, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";
import { sleep, waitUntil } from "../util.ts";

// The stack runs with GEMINI_CONCURRENCY=2 and PROVIDER_LEASE_SECONDS=2 (stack.ts).
const CONCURRENCY = 2;
// Longer than any worker's start on a busy machine: the harness lifts the pause itself (deletes the key,
// as its expiry would) once it has seen the new worker wait under it.
const PAUSE_MS = 120_000;

/** Every worker killed, BullMQ's clock moved on for their jobs, and `count` fresh workers. */
async function replaceWorkers(ctx: ScenarioContext, count: number) {
  await ctx.chaos.killWorkers();
  await ctx.chaos.fastForwardStalls();
  for (let i = 0; i < count; i++) await ctx.chaos.startWorker();
}

async function settledJobs(ctx: ScenarioContext, client: Awaited<ReturnType<ScenarioContext["shop"]>>, jobIds: string[]) {
  const results = [];
  for (const jobId of jobIds) {
    const { page, settled } = await ctx.settle(client, jobId, 60_000);
    const made = (await ctx.outputs(client, jobId)).filter((o) => o.storageKey !== "pending").length;
    // BullMQ counts an attempt when one finishes, failed or done: 1 is the run that did it, none failed.
    const entry = await ctx.chaos.queue.getJob(`generate-${jobId}-0`);
    results.push({ jobId, status: page.job.status, errorCode: page.job.errorCode, settled, made, attempts: entry?.attemptsMade ?? -1 });
  }
  return results;
}

/**
 * Two workers share the Gemini fake's two places; both are SIGKILLed while their requests hold those
 * places, and later one is SIGKILLed while every worker waits out a 429's RetryInfo.
 */
export const scenario: Scenario = {
  id: 17,
  fault: `Two workers sharing GEMINI_CONCURRENCY=${CONCURRENCY}: both SIGKILLed while their requests hold the two places (a third job waiting for one); then a 429 asking ${PAUSE_MS / 1000} s, and the worker SIGKILLed during that pause (lifted by the harness once the new worker waits under it)`,
  expected:
    "every job finishes done with one output and usage counted once, without spending an attempt; never more than 2 live requests at the provider; the dead workers' places come back; no request while the pause stands, from the new worker either",
  databases: SQLITE,
  // Three worker starts (a second worker, then a fresh one after each kill).
  timeoutMs: 360_000,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const products = ctx.products(client);
    const checks: Check[] = [];
    const usageBefore = await ctx.usage(client);

    // Part 1: the places are taken by requests whose workers then die.
    await chaos.startWorker();
    chaos.gemini.hold();
    const first: string[] = [];
    for (const product of products.slice(0, 3)) first.push(await ctx.startJob(client, product));
    await chaos.gemini.waitForHeld(CONCURRENCY);
    // The third job is running on a worker (4 slots between them) but waits for a place.
    await waitUntil(
      "the third job to be running",
      async () => (await chaos.queueEntries(["active"])).filter((e) => first.includes(e.data.jobId ?? "")).length === 3,
      20_000,
      100,
    );
    await sleep(1000);
    const heldWhileFull = chaos.gemini.heldCount;
    await replaceWorkers(ctx, 1);
    chaos.gemini.release();
    const firstResults = await settledJobs(ctx, client, first);
    // Done with its one output, or, when the fresh worker came up later than JOB_STUCK_SECONDS (30 s
    // here; tsx starts take that on a loaded machine), failed by the reconciler with a code and nothing
    // made: never lost, never stuck, never made twice. At least one done shows the places came back.
    const done = firstResults.filter((r) => r.status === "done");
    checks.push(
      check(heldWhileFull === CONCURRENCY, `${heldWhileFull} request(s) at the provider while 3 jobs ran (limit ${CONCURRENCY})`),
      check(
        firstResults.every(
          (r) => r.settled && ((r.status === "done" && r.made === 1) || (r.status === "failed" && r.errorCode && r.made === 0)),
        ) && done.length > 0,
        `after the kill: ${firstResults.map((r) => `${r.status}${r.errorCode ? ` ${r.errorCode}` : ""} with ${r.made} output(s)`).join(", ")}`,
      ),
      check(
        done.every((r) => r.attempts === 1),
        `queue attempts of the done ones ${done.map((r) => r.attempts).join(", ")} (1 each: none failed)`,
      ),
    );

    // Part 2: a 429 pauses the cluster; the worker that got it dies during the pause.
    const refusedBefore = chaos.gemini.refusals.length;
    chaos.gemini.rateLimitNext(1, PAUSE_MS);
    const paused = await ctx.startJob(client, products[3]);
    const pausedKey = `${chaos.queue.opts.prefix}:limits:gemini:paused`;
    await waitUntil("the 429 and the cluster's pause", async () => (await chaos.redis.client.pttl(pausedKey)) > 0, 30_000, 50);
    const refusedAt = chaos.gemini.refusals[refusedBefore];
    await replaceWorkers(ctx, 1);
    // The new worker has the job and waits in the gate: give it time it would use to ask at once.
    await waitUntil(
      "the new worker to run the paused job",
      async () => (await chaos.queueEntries(["active"])).some((e) => e.data.jobId === paused),
      60_000,
      100,
    );
    await sleep(2000);
    const askedDuringPause = chaos.gemini.arrivals.filter((at) => at > refusedAt).length;
    const pauseLeft = await chaos.redis.client.pttl(pausedKey);
    await chaos.redis.client.del(pausedKey);
    const [pausedResult] = await settledJobs(ctx, client, [paused]);
    checks.push(
      check(
        askedDuringPause === 0 && pauseLeft > 0,
        `${askedDuringPause} request(s) while the pause stood (the new worker running the job, ${Math.round(pauseLeft / 1000)} s of it left)`,
      ),
      check(
        pausedResult.settled && pausedResult.status === "done" && pausedResult.made === 1 && pausedResult.attempts === 1,
        `once it lifted: ${pausedResult.status} with ${pausedResult.made} output(s), queue attempts ${pausedResult.attempts}`,
      ),
    );

    const usage = (await ctx.usage(client)) - usageBefore;
    const maxInFlight = chaos.gemini.maxInFlight;
    checks.push(
      check(usage === done.length + 1, `usage ${usage} image(s) for ${done.length + 1} done job(s)`),
      check(maxInFlight <= CONCURRENCY, `at most ${maxInFlight} live request(s) at the provider at once`),
    );
    await chaos.normaliseWorkers();
    return outcome(checks);
  },
};

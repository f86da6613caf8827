import { TERMINAL } from "../audit.ts";
import { check, outcome, BOTH, type Scenario } from "../scenario.ts";
import { pollFor, sleep } from "../util.ts";

/**
 * How long the database stays down at most. SQLite's writers wait out a 10 s busy timeout before they
 * fail, and the first write may come a few seconds after the outage starts.
 */
const OUTAGE_MS = { sqlite: 25_000, postgresql: 4_000 };

export const scenario: Scenario = {
  id: 9,
  fault:
    "The database goes down while a job is generating (PostgreSQL: its proxy cut; SQLite: the harness holds an exclusive lock past the 10 s busy timeout), until a write has failed",
  expected: "the worker process stays alive, and the job ends done or failed once the database is back",
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [product] = ctx.products(client);
    const [worker] = chaos.liveWorkers();
    chaos.gemini.hold();
    const jobId = await ctx.startJob(client, product);
    await chaos.gemini.waitForHeld(1);
    const since = chaos.logs.length;
    const restore = chaos.db.takeDown();
    // The model answers while the database is down: the worker's next writes meet the outage, which
    // lasts until one of them has failed (the worker says so, or dies of it).
    chaos.gemini.release();
    const alive = () => worker.child.exitCode === null && !worker.child.signalCode;
    const failedWrite = () => !alive() || chaos.logs.slice(since).some((l) => l.name === worker.name && /fail|error/i.test(l.line));
    await pollFor(async () => failedWrite(), Boolean, OUTAGE_MS[chaos.kind], 100);
    await sleep(500);
    restore();
    const backAt = Date.now();
    const { value: page, ok } = await (async () => {
      for (;;) {
        const current = await ctx.page(client, jobId);
        if (TERMINAL.includes(current.job.status)) return { value: current, ok: true };
        if (Date.now() - backAt > 30_000) return { value: current, ok: false };
        await sleep(250);
      }
    })();
    return outcome([
      check(
        alive(),
        alive()
          ? "the worker process stayed alive"
          : `the worker process exited (code ${worker.child.exitCode ?? worker.child.signalCode})`,
      ),
      check(
        ok,
        ok
          ? `job "${page.job.status}"${page.job.errorCode ? ` (${page.job.errorCode})` : ""} ${((Date.now() - backAt) / 1000).toFixed(1)} s after the database came back`
          : `job still "${page.job.status}" 30 s after the database came back`,
      ),
    ]);
  },
};

import { check, outcome, BOTH, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";
import { pollFor } from "../util.ts";

const KILLS = 3;

/** The worker dies while the paid model is answering: held at the Gemini fake, then SIGKILL. */
async function killWhileGenerating(ctx: ScenarioContext) {
  const { chaos } = ctx;
  await chaos.killWorkers();
  chaos.gemini.release();
  chaos.gemini.hold();
  await chaos.fastForwardStalls();
  await chaos.startWorker();
}

export const scenario: Scenario = {
  id: 1,
  fault:
    "SIGKILL the worker while the model is generating; a fresh worker takes over. Then a second job: SIGKILL each time it runs again, up to three times",
  expected:
    "the job finishes with exactly the asked-for output, usage counted once, no orphan file or pending row; the job killed again and again ends failed, with a code",
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [first, second] = ctx.products(client);
    const checks: Check[] = [];

    chaos.gemini.hold();
    const jobId = await ctx.startJob(client, first);
    await chaos.gemini.waitForHeld(1);
    await killWhileGenerating(ctx);
    chaos.gemini.release();
    const { page, settled } = await ctx.settle(client, jobId, 30_000);
    const outputs = await ctx.outputs(client, jobId);
    const made = outputs.filter((o) => o.storageKey !== "pending");
    const orphans = await ctx.orphanFiles(client, jobId);
    const usage = await ctx.usage(client);
    checks.push(
      check(
        settled && page.job.status === "done",
        `killed once: job "${page.job.status}"${page.job.errorCode ? ` (${page.job.errorCode})` : ""}`,
      ),
      check(made.length === 1, `${made.length} output(s) for 1 asked`),
      check(usage === made.length, `usage ${usage} image(s)`),
      check(outputs.length === made.length, `${outputs.length - made.length} pending row(s)`),
      check(orphans.length === 0, `${orphans.length} orphan file(s)`),
    );

    chaos.gemini.hold();
    const doomed = await ctx.startJob(client, second);
    let kills = 0;
    for (; kills < KILLS; kills++) {
      // Each run of the job reaches the model again, unless the queue or the app has given up on it.
      const reached = await pollFor(
        async () => ({
          held: chaos.gemini.heldCount,
          status: (await ctx.page(client, doomed)).job.status,
          gaveUp: (await chaos.queueEntries(["failed"])).some((e) => e.data.jobId === doomed),
        }),
        (state) => state.held > 0 || state.gaveUp || ["done", "failed", "cancelled"].includes(state.status),
        15_000,
      );
      if (reached.value.held === 0) break;
      await killWhileGenerating(ctx);
    }
    chaos.gemini.release();
    const after = await ctx.settle(client, doomed, 15_000);
    const queued = (await chaos.queueEntries(["failed"])).find((e) => e.data.jobId === doomed);
    const doomedOutputs = await ctx.outputs(client, doomed);
    checks.push(
      check(
        after.page.job.status === "failed" && Boolean(after.page.job.errorCode),
        `killed ${kills}×: job "${after.page.job.status}"${after.page.job.errorCode ? ` with code ${after.page.job.errorCode}` : " with no code"}` +
          (queued?.failedReason ? ` (queue: "${queued.failedReason}")` : ""),
      ),
      check(doomedOutputs.length === 0, `${doomedOutputs.length} output row(s) of the failed job`),
      check((await ctx.usage(client)) === usage, `usage after it ${await ctx.usage(client)}`),
    );
    return outcome(checks);
  },
};

import { TERMINAL } from "../audit.ts";
import { check, outcome, BOTH, type Scenario } from "../scenario.ts";
import { sleep } from "../util.ts";

const CANCELLABLE = ["queued", "analysing", "generating", "checking"];
/** SQLite: Retry sent this many ms after Cancel, one round each, to land between Cancel's steps. */
const SQLITE_DELAYS_MS = [0, 1, 2, 3, 4, 6, 8, 11, 15, 20];
/** PostgreSQL: the database's answer to Cancel's update is held this long, and Retry sent meanwhile. */
const HELD_UPDATE_MS = 400;
const RETRY_AFTER_MS = 100;

export const scenario: Scenario = {
  id: 11,
  fault:
    `Cancel and Retry of a running job interleaved, with a delay injected between them: on PostgreSQL the answer to Cancel's update is held ${HELD_UPDATE_MS} ms by the proxy and Retry sent after ${RETRY_AFTER_MS} ms; ` +
    `on SQLite Retry follows Cancel after ${SQLITE_DELAYS_MS.join(", ")} ms`,
  expected: 'after each round the job is never "queued" without a queue entry; in the end it finishes from its latest attempt',
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [product, other] = ctx.products(client);
    chaos.gemini.hold();
    const jobId = await ctx.startJob(client, product);
    await chaos.gemini.waitForHeld(1);
    // A second running job takes the worker's other slot, so a retry's queue entry waits in the queue.
    const filler = await ctx.startJob(client, other);
    await chaos.gemini.waitForHeld(2);
    const rounds = chaos.kind === "postgresql" ? [RETRY_AFTER_MS, RETRY_AFTER_MS, RETRY_AFTER_MS] : SQLITE_DELAYS_MS;
    const violations: string[] = [];
    const outcomes: string[] = [];
    for (const [round, delay] of rounds.entries()) {
      const before = await ctx.prisma.job.findFirstOrThrow({ where: { id: jobId } });
      if (!CANCELLABLE.includes(before.status)) await client.jobAction(jobId, "retry");
      const held =
        chaos.kind === "postgresql" ? chaos.db.proxy!.delayAnswer(["UPDATE", "cancelled", "analysing"], HELD_UPDATE_MS) : undefined;
      const cancel = client.jobAction(jobId, "cancel");
      await sleep(delay);
      const retry = client.jobAction(jobId, "retry");
      const answers = await Promise.all([cancel, retry, held]);
      const row = await ctx.prisma.job.findFirstOrThrow({ where: { id: jobId } });
      // Both worker slots are taken, so a queued attempt's entry waits; an active entry is an older attempt's.
      const waiting = (await ctx.liveEntries(jobId)).filter((e) => e.state !== "active");
      outcomes.push(`${row.status}/${row.attempts}`);
      if (row.status === "queued" && waiting.length === 0) {
        violations.push(
          `round ${round + 1}: "queued" (attempt ${row.attempts}) with no queue entry (cancel ${JSON.stringify(answers[0].data)}, retry ${JSON.stringify(answers[1].data)})`,
        );
        // As the merchant would: cancel what shows as queued and try again.
        await client.jobAction(jobId, "cancel");
      }
    }
    await client.jobAction(jobId, "retry");
    chaos.gemini.release();
    // Generous: on a loaded machine the last attempt waits for the filler's slot, then runs (it failed once
    // at 20 s with load 7–15, the job still generating). Settling returns as soon as the page stops polling.
    const { page, settled } = await ctx.settle(client, jobId, 60_000);
    await ctx.settle(client, filler, 60_000);
    const final = await ctx.prisma.job.findFirstOrThrow({ where: { id: jobId } });
    const outputs = (await ctx.outputs(client, jobId)).filter((o) => o.storageKey !== "pending");
    const shopOutputs = await ctx.prisma.output.count({ where: { shop: client.shop, NOT: { storageKey: "pending" } } });
    return outcome([
      check(
        violations.length === 0,
        `${violations.length ? violations.join("; ") : 'never "queued" without a queue entry'} (${rounds.length} rounds, status/attempt after each: ${outcomes.join(", ")})`,
      ),
      check(
        settled && page.job.status === "done",
        `after a last Retry: job "${page.job.status}" (attempt ${final.attempts})${settled ? "" : ", still polling"}`,
      ),
      check(outputs.length === 1 && TERMINAL.includes(final.status), `${outputs.length} output(s)`),
      check((await ctx.usage(client)) === shopOutputs, `usage ${await ctx.usage(client)} for ${shopOutputs} output(s) of the store`),
    ]);
  },
};

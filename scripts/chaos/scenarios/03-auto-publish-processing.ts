import { TERMINAL } from "../audit.ts";
import type { ShopClient } from "../client.ts";
import { check, copies, outcome, SQLITE, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";
import { TIMINGS } from "../stack.ts";
import { pollFor } from "../util.ts";

/** Three publish attempts that each poll for the limit, with BullMQ's backoff (2 s, 4 s) between them. */
const RETRIES_MS = 30_000;

interface Baseline {
  media: number;
  usage: number;
  made: number;
}

async function baseline(ctx: ScenarioContext, client: ShopClient, productId: string): Promise<Baseline> {
  return { media: ctx.productMedia(client, productId).length, usage: await ctx.usage(client), made: ctx.chaos.gemini.imagesMade };
}

/** Queue entries still to run for the job or any of its outputs (an auto-publish may be queued for the outputs). */
async function entriesOf(ctx: ScenarioContext, client: ShopClient, jobId: string) {
  const outputs = await ctx.outputs(client, jobId);
  return ctx.liveEntries(jobId, [jobId, ...outputs.map((o) => o.id)]);
}

/** One copy per output, the outputs made once, usage and the model's bill counted once. */
async function checkOnce(
  ctx: ScenarioContext,
  client: ShopClient,
  jobId: string,
  productId: string,
  before: Baseline,
  label: string,
): Promise<Check[]> {
  const outputs = (await ctx.outputs(client, jobId)).filter((o) => o.storageKey !== "pending");
  const onProduct = await ctx.copiesOnProduct(client, jobId, productId);
  const counts = outputs.map((o) => onProduct.get(o.id)?.length ?? 0);
  const added = ctx.productMedia(client, productId).length - before.media;
  const usage = (await ctx.usage(client)) - before.usage;
  const made = ctx.chaos.gemini.imagesMade - before.made;
  const stuck = outputs.filter((o) => o.reviewState === "publishing").length;
  return [
    check(outputs.length === 1, `${label}: ${outputs.length} output(s) made for 1 asked`),
    check(
      counts.every((n) => n <= 1) && added <= 1,
      `${label}: product +${added} media for 1 asked (${counts.map(copies).join(", ") || "no output"} per output)`,
    ),
    check(usage === 1 && made === 1, `${label}: usage ${usage} image(s), the model paid for ${made}`),
    check(stuck === 0, `${label}: ${stuck} output(s) left "publishing"`),
  ];
}

export const scenario: Scenario = {
  id: 3,
  fault:
    "Auto-publish while the emulator keeps the new media PROCESSING: (a) SIGKILL the worker while it polls, a fresh worker retries; " +
    `(b) PROCESSING past the worker's poll limit (MEDIA_POLL_TIMEOUT_SECONDS=${TIMINGS.MEDIA_POLL_TIMEOUT_SECONDS}) through every retry`,
  expected: "after all retries: one copy per output on the product, the outputs made once, usage counted once",
  databases: SQLITE,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop("auto", { publishMode: "auto" });
    const [stalled, slow] = ctx.products(client);
    const checks: Check[] = [];
    const processing = chaos.emulator.faults.holdProcessing(client.shop);
    try {
      const firstBefore = await baseline(ctx, client, stalled.id);
      const first = await ctx.startJob(client, stalled);
      await ctx.waitForAttach(client, stalled.id, chaos.emulator.faults.attached.length);
      await chaos.killWorkers();
      await chaos.fastForwardStalls();
      await chaos.startWorker();
      // The retry runs while the media are still PROCESSING, then they finish.
      await pollFor(
        async () => (await entriesOf(ctx, client, first)).length,
        (n) => n === 0,
        8_000,
      );
      processing.release();
      // Settling needs the retry's backoff to pass and one more poll of the now READY media: seconds on a
      // quiet machine, several times that on a loaded one (it failed once at 12 s). It returns once settled.
      const { settled, page: firstPage } = await ctx.settle(client, first, 45_000);
      checks.push(
        check(
          settled,
          `(a) the page ${settled ? "stopped polling" : "still polls"}: job "${firstPage.job.status}", output(s) ${firstPage.outputs.map((o) => `"${o.reviewState}"`).join(", ")}`,
        ),
      );
      checks.push(...(await checkOnce(ctx, client, first, stalled.id, firstBefore, "(a)")));

      const again = chaos.emulator.faults.holdProcessing(client.shop);
      const secondBefore = await baseline(ctx, client, slow.id);
      try {
        const second = await ctx.startJob(client, slow);
        // "All retries": nothing of the job is queued any more and nothing of it is still moving.
        const retries = await pollFor(
          async () => ({ entries: (await entriesOf(ctx, client, second)).length, page: await ctx.page(client, second) }),
          ({ entries, page }) =>
            entries === 0 && TERMINAL.includes(page.job.status) && page.outputs.every((o) => o.reviewState !== "publishing"),
          RETRIES_MS,
          250,
        );
        const page = retries.value.page;
        checks.push(
          check(
            retries.ok,
            retries.ok
              ? `(b) retries over: job "${page.job.status}"${page.job.errorCode ? ` (${page.job.errorCode})` : ""}, output(s) ${page.outputs.map((o) => `"${o.reviewState}"`).join(", ")}`
              : `(b) still running ${RETRIES_MS / 1000} s later: job "${page.job.status}" ${page.job.progress}%, ${retries.value.entries} queue entr(ies): the poll limit did not end the publish`,
          ),
          ...(await checkOnce(ctx, client, second, slow.id, secondBefore, "(b)")),
        );
      } finally {
        again.release();
      }
    } finally {
      processing.release();
    }
    return outcome(checks);
  },
};

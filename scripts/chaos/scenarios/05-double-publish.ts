import { check, copies, outcome, BOTH, type Scenario } from "../scenario.ts";
import { LIVE_STATES } from "../stack.ts";

export const scenario: Scenario = {
  id: 5,
  fault: "Two Publish requests for one output at the same moment (worker concurrency 2), then two Restore requests at the same moment",
  expected: "one publish queue job and one media on the product; then one restore queue job and the product as it was",
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [product] = ctx.products(client);
    const { jobId, outputIds } = await ctx.doneJob(client, product);
    const original = ctx.productMedia(client, product.id).map((m) => m.id);
    // Queue jobs of that kind naming the output, in any state: a finished one counts as much as a waiting one.
    const queueJobs = async (kind: string) =>
      (await chaos.queueEntries(["completed", "failed", ...LIVE_STATES])).filter(
        (e) => (e.data.kind ?? e.name) === kind && JSON.stringify(e.data).includes(`"${outputIds[0]}"`),
      ).length;

    const publishes = await Promise.all([ctx.publish(client, jobId, outputIds), ctx.publish(client, jobId, outputIds)]);
    const published = await ctx.settle(client, jobId, 20_000);
    const onProduct = (await ctx.copiesOnProduct(client, jobId, product.id)).get(outputIds[0])!.length;
    const publishJobs = await queueJobs("publish");

    const restores = await Promise.all([ctx.restore(client, jobId, outputIds), ctx.restore(client, jobId, outputIds)]);
    const restored = await ctx.settle(client, jobId, 20_000);
    const after = ctx.productMedia(client, product.id).map((m) => m.id);
    const restoreJobs = await queueJobs("restore");
    const leftOver = (await ctx.copiesOnProduct(client, jobId, product.id)).get(outputIds[0])!.length;
    const originalsKept = original.every((id) => after.includes(id));
    return outcome([
      check(
        publishes.every((a) => a.status < 500),
        `Publish answered ${publishes.map((a) => a.status).join(" and ")}`,
      ),
      check(publishJobs === 1, `${publishJobs} publish queue job(s)`),
      check(
        onProduct === 1 && published.settled,
        `${copies(onProduct)} of the image on the product, output "${published.page.outputs[0]?.reviewState}"`,
      ),
      check(
        restores.every((a) => a.status < 500),
        `Restore answered ${restores.map((a) => a.status).join(" and ")}`,
      ),
      check(restoreJobs === 1, `${restoreJobs} restore queue job(s)`),
      check(
        leftOver === 0 && originalsKept && after.length === original.length && restored.settled,
        `after restore: ${copies(leftOver)} left, ${after.length - original.length >= 0 ? "+" : ""}${after.length - original.length} media against before, originals ${originalsKept ? "kept" : "touched"}, output "${restored.page.outputs[0]?.reviewState}"`,
      ),
    ]);
  },
};

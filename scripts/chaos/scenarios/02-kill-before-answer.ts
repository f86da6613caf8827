import { check, checkPublishedOnce, outcome, SQLITE, type Scenario } from "../scenario.ts";

export const scenario: Scenario = {
  id: 2,
  fault:
    "SIGKILL the worker after productUpdate ran on Shopify but before its answer arrived (answer held by the emulator); a fresh worker retries",
  expected: "the product has exactly +N media, and they are the outputs' media",
  databases: SQLITE,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [product] = ctx.products(client);
    const { jobId, outputIds } = await ctx.doneJob(client, product, { lifestyle: 2 });
    const before = ctx.productMedia(client, product.id).length;
    const attachLog = chaos.emulator.faults.attached.length;

    const held = chaos.emulator.faults.onNextMutation({ shop: client.shop, rootField: "productUpdate", answer: "hold" });
    const published = await ctx.publish(client, jobId, outputIds);
    await held.ran;
    await chaos.killWorkers();
    held.release();
    await chaos.fastForwardStalls();
    await chaos.startWorker();
    const { settled } = await ctx.settle(client, jobId, 30_000);
    return outcome([
      check(published.status === 200, `Publish answered ${published.status}`),
      check(settled, settled ? "the page stopped polling" : "the page still polls after 30 s"),
      ...(await checkPublishedOnce(ctx, client, jobId, product.id, before, outputIds)),
      check(
        ctx.attachedSince(client, product.id, attachLog) === outputIds.length,
        `productUpdate attached ${ctx.attachedSince(client, product.id, attachLog)} media in all`,
      ),
    ]);
  },
};

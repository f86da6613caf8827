import type { ProductRecord } from "../../emulator/state.ts";
import type { ShopClient } from "../client.ts";
import { check, checkPublishedOnce, outcome, BOTH, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";
import { sleep } from "../util.ts";

/**
 * productUpdate runs on Shopify and its answer is held; `fault` takes something away from the worker;
 * the answer is let through into the fault; after `holdMs` (or, with `until`, once a worker logs that
 * the publish failed) the fault is undone. Then the publish must end with each output attached once.
 */
async function publishThroughFault(
  ctx: ScenarioContext,
  client: ShopClient,
  product: ProductRecord,
  label: string,
  fault: () => () => void,
  holdMs: number,
  until?: RegExp,
): Promise<Check[]> {
  const { chaos } = ctx;
  const { jobId, outputIds } = await ctx.doneJob(client, product);
  const before = ctx.productMedia(client, product.id).length;
  const held = chaos.emulator.faults.onNextMutation({ shop: client.shop, rootField: "productUpdate", answer: "hold" });
  const published = await ctx.publish(client, jobId, outputIds);
  await held.ran;
  const since = chaos.logs.length;
  const undo = fault();
  held.release();
  await (until ? chaos.waitForLog(until, { name: /^worker/, since, timeoutMs: holdMs }).catch(() => null) : sleep(holdMs));
  undo();
  const { settled, page } = await ctx.settle(client, jobId, 30_000);
  return [
    check(
      published.status === 200 && settled,
      `${label}: Publish ${published.status}, the page ${settled ? "stopped polling" : "still polls"} (output "${page.outputs.map((o) => o.reviewState).join(", ")}")`,
    ),
    ...(await checkPublishedOnce(ctx, client, jobId, product.id, before, outputIds, label)),
  ];
}

export const scenario: Scenario = {
  id: 4,
  fault:
    "Right after a successful productUpdate (its answer held, then let through): (a) Redis cut (the pacer's record fails); (b) the database down (PostgreSQL cut / SQLite locked past its busy timeout)",
  expected: "no duplicate: each output attached once, with its media id recorded",
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [first, second] = ctx.products(client);
    // Long enough for the pacer's Redis client to give up on its command (two reconnection attempts).
    const redis = await publishThroughFault(
      ctx,
      client,
      first,
      "(a)",
      () => {
        chaos.redisProxy.cut();
        return () => chaos.redisProxy.restore();
      },
      3_000,
    );
    // SQLite's busy timeout is 10 s: the write waits it out before it fails.
    const database = await publishThroughFault(
      ctx,
      client,
      second,
      "(b)",
      () => chaos.db.takeDown(),
      chaos.kind === "sqlite" ? 12_000 : 4_000,
      /publish failed/,
    );
    return outcome([...redis, ...database]);
  },
};

import { DEFAULT_IMAGE_MODEL, pricePerImageUsd } from "../../../app/studio/models.ts";
import { check, outcome, BOTH, type Check, type Scenario } from "../scenario.ts";
import { pollFor, waitUntil } from "../util.ts";

const PRODUCTS = 6;
/** The batch's third request fails at Google; its job makes that image interactively, once. */
const FAILED_INDEX = 2;

export const scenario: Scenario = {
  id: 16,
  fault:
    "Economy bulk of 6 products (Google's Batch API): SIGKILL the worker after Google created the batch but before its answer arrived, then again while the batch is being polled; one request fails inside Google's batch",
  expected:
    "one Google batch, found again by its name after the first kill; every job done with one output; the failed request made once interactively; usage counted once, 5 images at the batch price and 1 at the interactive price",
  databases: BOTH,
  async run(ctx) {
    const { chaos } = ctx;
    const google = chaos.geminiBatches;
    const client = await ctx.shop("economy", { provider: "gemini", economyBulk: true });
    const products = ctx.products(client).filter((p) => p.mediaIds.length > 0);
    const checks: Check[] = [];
    chaos.batchFailures.clear();
    chaos.batchFailures.add(FAILED_INDEX);
    const interactiveBefore = chaos.gemini.imagesMade;

    google.holdCreates();
    google.finishAfterPolls(undefined);
    const bulk = await client.bulk(products.slice(0, PRODUCTS).map((p) => p.id));
    const batchId = bulk.data.batchId;
    if (!batchId) throw new Error(`The bulk request answered ${bulk.status}: ${bulk.text.slice(0, 200)}`);
    const displayName = `studio-${batchId}`;
    const ours = () => [...google.batches.values()].filter((b) => b.displayName === displayName);

    // Kill 1: Google has the batch, the worker never hears so (its answer is lost with the process).
    await waitUntil("Google to receive the batch", async () => google.heldCreates > 0 || null, 60_000, 50);
    chaos.note("kill 1: after batchGenerateContent reached Google, before its answer");
    await chaos.killWorkers();
    google.releaseCreates();
    await chaos.fastForwardStalls();
    await chaos.startWorker();

    const waiting = await pollFor(
      () => ctx.prisma.job.count({ where: { shop: client.shop, batchId, status: "awaiting_batch" } }),
      (count) => count === PRODUCTS,
      60_000,
      200,
    );
    checks.push(check(waiting.ok, `${waiting.value}/${PRODUCTS} job(s) waiting for Google's batch after kill 1`));
    checks.push(check(ours().length === 1, `${ours().length} Google batch(es) created for the app's batch`));

    // Kill 2: while the batch is being polled. Google finishes it a few polls later.
    const name = `batches/${ours()[0]?.id}`;
    await waitUntil("the worker to poll Google's batch", async () => google.polls(name) >= 1 || null, 60_000, 50);
    chaos.note("kill 2: while polling Google's batch");
    await chaos.killWorkers();
    google.finishAfterPolls(google.polls(name) + 2);
    await chaos.fastForwardStalls();
    await chaos.startWorker();

    const settled = await pollFor(
      () => ctx.prisma.job.findMany({ where: { shop: client.shop, batchId }, include: { outputs: true } }),
      (jobs) => jobs.every((job) => ["done", "failed", "cancelled"].includes(job.status)),
      120_000,
      300,
    );
    google.finishAfterPolls(undefined);
    chaos.batchFailures.clear();
    const jobs = settled.value;
    const done = jobs.filter((job) => job.status === "done").length;
    const outputs = jobs.map((job) => job.outputs.length);
    const usage = await ctx.prisma.usage.findMany({ where: { shop: client.shop } });
    const images = usage.reduce((sum, row) => sum + row.images, 0);
    const cost = usage.reduce((sum, row) => sum + row.costMicros, 0);
    const reserved = usage.reduce((sum, row) => sum + row.reserved, 0);
    const micros = (batch: boolean) => Math.round(pricePerImageUsd("gemini", DEFAULT_IMAGE_MODEL, 2048, { batch }) * 1_000_000);
    const expectedCost = (PRODUCTS - 1) * micros(true) + micros(false);
    const interactive = chaos.gemini.imagesMade - interactiveBefore;
    checks.push(
      check(
        done === PRODUCTS,
        `${done}/${PRODUCTS} job(s) done${jobs.some((j) => j.errorCode) ? ` (${jobs.map((j) => j.errorCode ?? "-").join(",")})` : ""}`,
      ),
      check(
        outputs.every((n) => n === 1),
        `outputs per job ${outputs.join(",")}`,
      ),
      check(ours().length === 1, `${ours().length} Google batch(es) in the end`),
      check(interactive === 1, `${interactive} interactive image(s) for 1 failed request`),
      check(images === PRODUCTS && reserved === 0, `usage ${images} image(s), ${reserved} still reserved`),
      check(cost === expectedCost, `cost ${cost} µ$ (expected ${PRODUCTS - 1} at the batch price + 1 interactive = ${expectedCost})`),
    );
    return outcome(checks);
  },
};

import { check, outcome, BOTH, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";
import type { ShopClient } from "../client.ts";
import { pollFor } from "../util.ts";

// Starter: 40 images included, then $0.19 each (app/billing/plans.ts).
const INCLUDED = 40;
const PRICE_MICROS = 190_000;

/** The plan chosen on the billing page, approved on the emulator's stand-in for Shopify's page, read back by the page. */
async function subscribe(client: ShopClient, plan: string): Promise<Record<string, unknown>> {
  const chosen = await client.act<{ confirmationUrl?: string }>(
    "/app/billing",
    "routes/app.billing",
    new URLSearchParams({ intent: "choose", plan }),
  );
  if (!chosen.data.confirmationUrl) throw new Error(`Choosing ${plan} answered ${chosen.status}: ${chosen.text.slice(0, 200)}`);
  const answered = await approve(chosen.data.confirmationUrl);
  const chargeId = new URL(answered.headers.get("location") ?? "http://none/").searchParams.get("charge_id");
  if (!chargeId) throw new Error(`The approval page answered ${answered.status} without a charge_id`);
  return (await client.load(`/app/billing?charge_id=${chargeId}`, "routes/app.billing")).data;
}

/** The merchant's "Approve" on the emulator's stand-in for Shopify's approval page; its redirect is not followed. */
async function approve(confirmationUrl: string): Promise<Response> {
  const answered = await fetch(confirmationUrl, { method: "POST", body: new URLSearchParams({ decision: "approve" }), redirect: "manual" });
  await answered.body?.cancel();
  return answered;
}

/** The usage records Shopify (the emulator) holds for the shop, on every subscription. */
function usageRecords(ctx: ScenarioContext, client: ShopClient) {
  const billing = ctx.chaos.emulator.state.shops.get(client.shop)!.billing;
  return [...billing.subscriptions.values()].flatMap((s) => s.lineItems.flatMap((item) => (item.kind === "usage" ? item.records : [])));
}

async function finished(ctx: ScenarioContext, client: ShopClient, jobId: string) {
  const { page } = await ctx.settle(client, jobId, 90_000);
  const outputs = (await ctx.outputs(client, jobId)).filter((o) => o.storageKey !== "pending");
  return { status: page.job.status, outputIds: outputs.map((o) => o.id) };
}

/**
 * Billing on (its own stack): a shop on the Starter plan with its included images used. The worker is
 * SIGKILLed after Shopify's emulator ran appUsageRecordCreate (the record exists) and before its answer
 * reached the worker (held), so the app never saved it; a second charge loses its answer on the wire.
 */
export const scenario: Scenario = {
  id: 19,
  fault:
    "Billing on, Starter plan with its 40 included images used, after a higher cap approved on Shopify's page whose way back is lost: SIGKILL the worker after Shopify ran appUsageRecordCreate but before its answer arrived (held by the emulator); a fresh worker; a second paid image whose appUsageRecordCreate answer is dropped; a local image and a failed paid job beside them",
  expected:
    "the cap Shopify approved, read on the next visit and said once; exactly one usage record per charged image on Shopify (which here records a repeated idempotencyKey twice), keyed by the output, each adopted by the app's charge row; none for the local image or the failure",
  databases: BOTH,
  env: { BILLING: "shopify" },
  // Two worker starts on busy cores, each a tsx start.
  timeoutMs: 300_000,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop("billing");
    const products = ctx.products(client);
    const checks: Check[] = [];

    // The worst answer to a repeated key Shopify was reported to give: a second record. Only the app's
    // own look-up before sending again keeps the charge single.
    chaos.emulator.billing.setUsageIdempotency(client.shop, "duplicate");
    const billing = await subscribe(client, "starter");
    checks.push(check(billing.plan === "starter", `the billing page reads plan "${String(billing.plan)}" after the approval`));

    // 0. A higher cap approved on Shopify's page, the merchant's way back lost (the tab closed): the next
    // visit reads the cap Shopify now has and says it was raised, once; a reload still reads it.
    const asked = await client.act<{ confirmationUrl?: string }>(
      "/app/billing",
      "routes/app.billing",
      new URLSearchParams({ intent: "cap", images: "200" }),
    );
    if (!asked.data.confirmationUrl) throw new Error(`Raising the cap answered ${asked.status}: ${asked.text.slice(0, 200)}`);
    await approve(asked.data.confirmationUrl);
    const visit = (await client.load("/app/billing", "routes/app.billing")).data;
    const reload = (await client.load("/app/billing", "routes/app.billing")).data;
    checks.push(
      check(
        visit.notice === "capRaised" && visit.cap === 200 && reload.notice === null && reload.cap === 200,
        `after a raise approved with the way back lost: "${String(visit.notice)}" with a cap of ${String(visit.cap)}, then "${String(reload.notice)}" with ${String(reload.cap)}`,
      ),
    );
    const month = new Date().toISOString().slice(0, 7);
    await ctx.prisma.usageCharge.createMany({
      data: Array.from({ length: INCLUDED }, (_, i) => ({
        shop: client.shop,
        outputId: `earlier-${i}`,
        jobId: "earlier",
        month,
        idempotencyKey: `output-earlier-${i}`,
        amountCents: 0,
        status: "included",
      })),
    });

    // 1. Shopify records the usage; the answer is held; the worker dies before it could save it.
    const held = chaos.emulator.faults.onNextMutation({ shop: client.shop, rootField: "appUsageRecordCreate", answer: "hold" });
    const killedJob = await ctx.startJob(client, products[0]);
    await held.ran;
    const beforeKill = usageRecords(ctx, client).length;
    const rowAtKill = await ctx.prisma.usageCharge.findFirst({ where: { shop: client.shop, jobId: killedJob } });
    await chaos.killWorkers();
    held.release();
    await chaos.fastForwardStalls();
    await chaos.startWorker();
    checks.push(
      check(
        beforeKill === 1 && rowAtKill?.status === "sent",
        `at the kill: ${beforeKill} record(s) on Shopify, the app's row "${rowAtKill?.status ?? "none"}"`,
      ),
    );

    // 2. A second paid image whose answer is lost on the wire (the connection closes after Shopify ran it).
    chaos.emulator.faults.onNextMutation({ shop: client.shop, rootField: "appUsageRecordCreate", answer: "drop" });
    const droppedJob = await ctx.startJob(client, products[1]);
    // 3. The local provider, free on every plan; 4. a paid job that fails (its photo cannot be downloaded).
    const localJob = await ctx.startJob(client, products[2], { provider: "local" });
    const local = await finished(ctx, client, localJob);
    const dropped = await finished(ctx, client, droppedJob);
    chaos.emulator.failDownloads(client.shop, { status: 404, count: 10 });
    const failedJob = await ctx.startJob(client, products[3]);
    const failed = await finished(ctx, client, failedJob);
    const killed = await finished(ctx, client, killedJob);

    const charged = [...killed.outputIds, ...dropped.outputIds];
    // The new worker runs the killed charge again (a stalled job), or the reconciler queues it again.
    const { value: recordedRows } = await pollFor(
      () => ctx.prisma.usageCharge.findMany({ where: { shop: client.shop, outputId: { in: charged } } }),
      (rows) => rows.length === charged.length && rows.every((r) => r.status === "recorded"),
      90_000,
      500,
    );
    const records = usageRecords(ctx, client);
    const perImage = charged.map((id) => records.filter((r) => r.idempotencyKey === `output-${id}`));
    const adopted = recordedRows.filter((row) => row.status === "recorded" && perImage.flat().some((r) => r.id === row.recordId));
    const uncharged = [...local.outputIds, ...failed.outputIds];
    const chargedWrongly = records.filter((r) => uncharged.some((id) => r.idempotencyKey === `output-${id}`)).length;
    const rowsForUncharged = await ctx.prisma.usageCharge.count({ where: { shop: client.shop, outputId: { in: uncharged } } });

    checks.push(
      check(
        killed.status === "done" && dropped.status === "done" && charged.length === 2,
        `paid jobs ${killed.status} and ${dropped.status} with ${charged.length} output(s)`,
      ),
      check(
        local.status === "done" && local.outputIds.length === 1 && failed.status === "failed" && failed.outputIds.length === 0,
        `local job ${local.status} (${local.outputIds.length} output), failing job ${failed.status} (${failed.outputIds.length} output)`,
      ),
      check(
        perImage.every((r) => r.length === 1) && records.length === charged.length,
        `usage records per charged image on Shopify: ${perImage.map((r) => r.length).join(", ")} (${records.length} in all)`,
      ),
      check(
        records.every((r) => r.priceMicros === PRICE_MICROS),
        `each at ${records.map((r) => `$${(r.priceMicros / 1e6).toFixed(2)}`).join(", ")}`,
      ),
      check(adopted.length === charged.length, `${adopted.length}/${charged.length} charge row(s) recorded with Shopify's record id`),
      check(
        chargedWrongly === 0 && rowsForUncharged === 0,
        `${chargedWrongly} record(s) and ${rowsForUncharged} charge row(s) for the local image and the failure`,
      ),
    );
    return outcome(checks);
  },
};

import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { Redis } from "ioredis";
import type { Worker } from "bullmq";
import { makeProductPhoto } from "../fakes/product-photo";
import { asShop, call, startAppTest, type AppTest } from "../app";
import { jobIdOf, postGeneration, startHeldGemini, waitFor as waitUntil, type HeldGemini } from "../worker/harness";
import { english } from "../messages";
import { render, type FieldErrors } from "~/i18n/index";
import { startWebhookReceiver, type WebhookReceiver } from "../webhook-receiver";
import type * as DbModule from "~/infra/db.server";

// Plans and usage charges through Shopify, with billing on: the billing page asks for a plan, the
// merchant answers on the emulator's approval page, the page reads the answer back; paid images are
// charged by a real worker with the Gemini SDK against a local stand-in, one usage record per image
// beyond the included ones, under lost answers and a rerun; the emulator delivers app_subscriptions/update
// signed to the app's webhook route.

const SHOP = "shop-billing.myshopify.com";

// Image work on a loaded 2-core machine takes minutes; the waits below end as soon as their condition holds.
vi.setConfig({ testTimeout: 600_000 });

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 500_000) => waitUntil(what, fn, timeoutMs);

/** Every webhook the emulator sent has been handled by the app, including one the emulator gave up waiting for. */
async function settleWebhooks() {
  await app.emulator.settleWebhooks();
  await receiver.settle();
}

let app: AppTest;
let gemini: HeldGemini;
let receiver: WebhookReceiver;
let prisma: typeof DbModule.prisma;
let worker: Worker;
let connection: Redis;

// Loading the worker (the segmentation model, sharp) on a loaded 2-core machine takes more than the default minute.
beforeAll(async () => {
  process.env.BILLING = "shopify";
  app = await startAppTest();
  app.emulator.addShop(SHOP, { seed: true });
  receiver = await startWebhookReceiver();
  app.emulator.setWebhookUrl(receiver.url);
  gemini = await startHeldGemini(await makeProductPhoto({ width: 1024, height: 1024, background: "#ffffff", scale: 0.7 }));
  Object.assign(process.env, { GEMINI_API_KEY: "test-gemini-key", GEMINI_API_BASE_URL: gemini.url });
  prisma = (await import("~/infra/db.server")).prisma;
  const { createStudioWorker } = await import("~/processors/worker.server");
  connection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
  worker = createStudioWorker({ connection, prefix: app.queuePrefix, concurrency: 2 });
}, 300_000);

afterAll(async () => {
  await worker?.close();
  connection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  await gemini?.close();
  await receiver?.close();
  await app?.stop();
  delete process.env.BILLING;
});

// An earlier test's job still running here would hold this process's event loop (image work) while the
// next test waits on webhooks and HTTP answers: each test starts once the shop's jobs are finished.
beforeEach(async () => {
  await waitFor(
    "the earlier tests' jobs to finish",
    async () => (await prisma.job.count({ where: { shop: SHOP, status: { notIn: ["done", "failed", "cancelled"] } } })) === 0,
    280_000,
  );
  await prisma.usageCharge.deleteMany({});
  await prisma.usage.deleteMany({});
  await prisma.shopBilling.deleteMany({});
  await prisma.shopSettings.deleteMany({});
  for (const subscription of app.emulator.state.shops.get(SHOP)!.billing.subscriptions.values()) {
    if (subscription.status === "ACTIVE" || subscription.status === "FROZEN") app.emulator.billing.cancel(SHOP, subscription.id);
  }
  await settleWebhooks();
}, 300_000);

async function billingPage(query = "") {
  const { loader } = await import("~/routes/app.billing/route");
  const response = await call(loader, await asShop(SHOP, `/app/billing${query}`));
  expect(response.status).toBe(200);
  return (await response.json()) as {
    notice: string | null;
    plan: string;
    test: boolean;
    cap: number | null;
    cappedAmount: string | null;
    charges: { included: number; charged: number; chargedAmount: string; waiting: number };
  };
}

/** Chooses a plan on the billing page: the page asks App Bridge for a top-level redirect to Shopify's approval page. */
async function choosePlan(plan: string): Promise<string> {
  const { action } = await import("~/routes/app.billing/route");
  const form = new FormData();
  form.set("intent", "choose");
  form.set("plan", plan);
  const response = await call(action, await asShop(SHOP, "/app/billing", { method: "POST", body: form }));
  expect(response.status).toBe(200);
  const url = ((await response.json()) as { confirmationUrl?: string }).confirmationUrl;
  expect(url).toMatch(/\/admin\/charges\/\d+\/\d+\/RecurringApplicationCharge\/confirm_recurring_application_charge\?signature=/);
  return url!;
}

/** The merchant's answer on the emulator's approval page; gives back where Shopify sends them. */
async function answer(confirmationUrl: string, decision: "approve" | "decline"): Promise<URL> {
  const page = await fetch(confirmationUrl);
  expect(page.status).toBe(200);
  await page.text();
  const response = await fetch(confirmationUrl, {
    method: "POST",
    body: new URLSearchParams({ decision }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!);
}

async function subscribe(plan = "starter") {
  const back = await answer(await choosePlan(plan), "approve");
  return billingPage(`?charge_id=${back.searchParams.get("charge_id")}`);
}

function usageRecords() {
  const billing = app.emulator.state.shops.get(SHOP)!.billing;
  return [...billing.subscriptions.values()].flatMap((s) => s.lineItems.flatMap((item) => (item.kind === "usage" ? item.records : [])));
}

/** GIVEN the plan's included images of this month already made (rows as the charge counter writes them). */
async function useIncludedImages(count: number) {
  const { currentMonth } = await import("~/models/usage.server");
  await prisma.usageCharge.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      shop: SHOP,
      outputId: `earlier-${i}`,
      jobId: "earlier",
      month: currentMonth(),
      idempotencyKey: `output-earlier-${i}`,
      amountCents: 0,
      status: "included",
    })),
  });
}

async function generateOnGemini() {
  const response = await postGeneration(app, SHOP, { provider: "gemini", options: { size: 1024 } });
  const jobId = jobIdOf(response);
  return waitFor(
    "the job to finish",
    async () => {
      const row = await prisma.job.findFirst({ where: { id: jobId, shop: SHOP }, include: { outputs: true } });
      return row && ["done", "failed"].includes(row.status) ? row : null;
    },
    500_000,
  );
}

describe("plans", () => {
  test("choosing a plan, approving it on Shopify's page and coming back records the plan Shopify has active, and its cap", async () => {
    const before = await billingPage();
    expect(before).toMatchObject({ plan: "free", cap: null });
    const back = await answer(await choosePlan("starter"), "approve");
    expect(back.href).toMatch(/^https:\/\/admin\.shopify\.com\/store\/shop-billing\/apps\/demo-api-key\/app\/billing\?charge_id=\d+$/);
    const after = await billingPage(`?charge_id=${back.searchParams.get("charge_id")}`);
    // Starter: 40 included, $0.19 each beyond, a $20.00 capped amount: 40 + 105 images.
    expect(after).toMatchObject({ notice: "approved", plan: "starter", cap: 145, cappedAmount: "20.00", test: false });
    const row = await prisma.shopBilling.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(row.subscriptionId).toMatch(/^gid:\/\/shopify\/AppSubscription\/\d+$/);
    const { getSettings } = await import("~/models/settings.server");
    expect((await getSettings(SHOP)).monthlyCap).toBe(145);
  });

  test("a development store is asked for a test charge", async () => {
    app.emulator.billing.setShopPlan(SHOP, { partnerDevelopment: true, publicDisplayName: "Development" });
    try {
      const confirmationUrl = await choosePlan("growth");
      const pending = [...app.emulator.state.shops.get(SHOP)!.billing.subscriptions.values()].at(-1)!;
      expect(pending).toMatchObject({ name: "Photo Studio Growth", test: true, status: "PENDING" });
      const back = await answer(confirmationUrl, "approve");
      expect(await billingPage(`?charge_id=${back.searchParams.get("charge_id")}`)).toMatchObject({ plan: "growth", test: true });
    } finally {
      app.emulator.billing.setShopPlan(SHOP, { partnerDevelopment: false, publicDisplayName: "Basic" });
    }
  });

  test("a declined plan leaves the shop on the free plan: generative providers are refused, the local provider works", async () => {
    const back = await answer(await choosePlan("starter"), "decline");
    expect(back.searchParams.has("charge_id")).toBe(false);
    expect(await billingPage()).toMatchObject({ notice: "declined", plan: "free", cap: null });

    const refused = await postGeneration(app, SHOP, { provider: "gemini" });
    expect(refused.status).toBe(402);
    expect(english((await refused.json()).errors).provider).toMatch(/free plan uses the local provider only/);
    // A shop whose setting says Gemini gets the local provider instead, as the free plan allows.
    await prisma.shopSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP, provider: "gemini" }, update: { provider: "gemini" } });
    const job = await prisma.job.findFirstOrThrow({ where: { id: jobIdOf(await postGeneration(app, SHOP)), shop: SHOP } });
    expect(job.provider).toBe("local");
    const finished = await waitFor("the local job", async () => {
      const row = await prisma.job.findFirst({ where: { id: job.id, shop: SHOP } });
      return row && ["done", "failed"].includes(row.status) ? row : null;
    });
    expect(finished.status).toBe("done");
  });

  test("a subscription Shopify cancels, or freezes, puts the shop on the free plan through the signed webhook", async () => {
    await subscribe("starter");
    const { subscriptionId } = await prisma.shopBilling.findUniqueOrThrow({ where: { shop: SHOP } });
    app.emulator.billing.freeze(SHOP, subscriptionId!);
    await settleWebhooks();
    const frozen = app.emulator
      .webhookDeliveries()
      .filter((d) => d.topic === "app_subscriptions/update" && JSON.parse(d.body).app_subscription.status === "FROZEN");
    expect(frozen.map((d) => d.status)).toEqual([200]);
    expect(await prisma.shopBilling.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ plan: "free", subscriptionId: null });

    await subscribe("pro");
    const pro = (await prisma.shopBilling.findUniqueOrThrow({ where: { shop: SHOP } })).subscriptionId!;
    app.emulator.billing.cancel(SHOP, pro);
    await settleWebhooks();
    const cancelled = app.emulator
      .webhookDeliveries()
      .filter((d) => d.topic === "app_subscriptions/update" && JSON.parse(d.body).app_subscription.admin_graphql_api_id === pro);
    // Created (PENDING), approved (ACTIVE), then cancelled: each answered 200 by the app.
    expect(cancelled.map((d) => [JSON.parse(d.body).app_subscription.status, d.status])).toEqual([
      ["PENDING", 200],
      ["ACTIVE", 200],
      ["CANCELLED", 200],
    ]);
    expect(await prisma.shopBilling.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ plan: "free", subscriptionId: null });
    const refused = await postGeneration(app, SHOP, { provider: "gemini" });
    expect(refused.status).toBe(402);
  });

  test("raising the cap asks Shopify to raise the capped amount, and counts once the merchant approves it", async () => {
    await subscribe("starter");
    const { action } = await import("~/routes/app.billing/route");
    const form = new FormData();
    form.set("intent", "cap");
    form.set("images", "200");
    const response = await call(action, await asShop(SHOP, "/app/billing", { method: "POST", body: form }));
    const url = ((await response.json()) as { confirmationUrl: string }).confirmationUrl;
    expect(url).toMatch(/confirm_update_capped_amount/);
    // Not before the approval.
    const { getSettings } = await import("~/models/settings.server");
    expect((await getSettings(SHOP)).monthlyCap).toBe(145);
    const back = await answer(url, "approve");
    // 200 images: 160 beyond the 40 included at $0.19 = $30.40.
    expect(await billingPage(`?charge_id=${back.searchParams.get("charge_id")}`)).toMatchObject({
      notice: "capRaised",
      cap: 200,
      cappedAmount: "30.40",
    });
  });

  test("a raise of the cap the merchant declines on Shopify's page leaves the cap as it was, and the page says so", async () => {
    await subscribe("starter");
    const { action } = await import("~/routes/app.billing/route");
    const form = new FormData();
    form.set("intent", "cap");
    form.set("images", "300");
    const response = await call(action, await asShop(SHOP, "/app/billing", { method: "POST", body: form }));
    const back = await answer(((await response.json()) as { confirmationUrl: string }).confirmationUrl, "decline");
    // The subscription stays ACTIVE after a declined raise: not "approved", which would read as a yes.
    expect(await billingPage(back.search)).toMatchObject({
      notice: "capDeclined",
      plan: "starter",
      cap: 145,
      cappedAmount: "20.00",
    });
    const { getSettings } = await import("~/models/settings.server");
    expect((await getSettings(SHOP)).monthlyCap).toBe(145);
  });
});

describe("usage charges", () => {
  test("images within the included ones are not charged; the next one is charged once, with the output's idempotency key", async () => {
    await subscribe("starter");
    await useIncludedImages(39);
    const first = await generateOnGemini();
    expect(first.status).toBe("done");
    const included = await waitFor("the included image's row", () =>
      prisma.usageCharge.findFirst({ where: { shop: SHOP, outputId: first.outputs[0].id } }),
    );
    expect(included).toMatchObject({ status: "included", amountCents: 0 });

    const second = await generateOnGemini();
    const charge = await waitFor("the charge to be recorded", () =>
      prisma.usageCharge.findFirst({ where: { shop: SHOP, outputId: second.outputs[0].id, status: "recorded" } }),
    );
    expect(charge).toMatchObject({ amountCents: 19, idempotencyKey: `output-${second.outputs[0].id}` });
    const records = usageRecords().filter((r) => r.idempotencyKey?.startsWith("output-"));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ idempotencyKey: `output-${second.outputs[0].id}`, priceMicros: 190_000 });
    expect(charge.recordId).toBe(records[0].id);
    expect(await billingPage()).toMatchObject({ charges: { included: 40, charged: 1, chargedAmount: "0.19", waiting: 0 } });
  });

  test("a lost answer, then a worker that died after Shopify recorded the charge: still exactly one usage record", async () => {
    await subscribe("starter");
    await useIncludedImages(40);
    // Shopify records the usage, but the answer never reaches the worker.
    app.emulator.loseNextAnswers(SHOP, "appUsageRecordCreate");
    const job = await generateOnGemini();
    const outputId = job.outputs[0].id;
    const charge = await waitFor("the charge to be recorded", () =>
      prisma.usageCharge.findFirst({ where: { shop: SHOP, outputId, status: "recorded" } }),
    );
    expect(usageRecords().filter((r) => r.idempotencyKey === `output-${outputId}`)).toHaveLength(1);

    // As if the worker had been killed after Shopify's answer and before its write: the row still says sent.
    await prisma.usageCharge.update({ where: { id: charge.id }, data: { status: "sent", recordId: null } });
    const { processCharge } = await import("~/processors/charge.server");
    await processCharge(SHOP, charge.id);
    expect(await prisma.usageCharge.findUniqueOrThrow({ where: { id: charge.id } })).toMatchObject({
      status: "recorded",
      recordId: charge.recordId,
    });
    // The hook run again for the same output (a rerun of the attempt, the reconciler) counts nothing new.
    const { afterOutputsSaved } = await import("~/models/billing.server");
    await afterOutputsSaved(SHOP, [{ id: outputId, jobId: job.id, provider: "gemini" }]);
    expect(await prisma.usageCharge.count({ where: { shop: SHOP, outputId } })).toBe(1);
    expect(usageRecords().filter((r) => r.idempotencyKey === `output-${outputId}`)).toHaveLength(1);
  });

  test("nothing is charged for local images or for a failed job", async () => {
    await subscribe("starter");
    await useIncludedImages(40);
    const local = jobIdOf(await postGeneration(app, SHOP, { provider: "local", options: { size: 1024 } }));
    await waitFor("the local job", async () => {
      const row = await prisma.job.findFirst({ where: { id: local, shop: SHOP } });
      return row?.status === "done";
    });
    // A job that fails: the product's photo cannot be downloaded from Shopify's CDN.
    app.emulator.failDownloads(SHOP, { status: 404, count: 10 });
    const failing = jobIdOf(await postGeneration(app, SHOP, { provider: "gemini", options: { size: 1024 } }));
    await waitFor("the failing job", async () => {
      const row = await prisma.job.findFirst({ where: { id: failing, shop: SHOP } });
      return row?.status === "failed";
    });
    const outputs = await prisma.output.findMany({ where: { shop: SHOP, jobId: { in: [local, failing] } }, select: { id: true } });
    expect(outputs).toHaveLength(1);
    expect(await prisma.usageCharge.count({ where: { shop: SHOP, outputId: { in: outputs.map((o) => o.id) } } })).toBe(0);
    expect(usageRecords().filter((r) => outputs.some((o) => r.idempotencyKey === `output-${o.id}`))).toHaveLength(0);
  });

  test("at the cap, generation on a paid provider is refused with a clear message in the merchant's language", async () => {
    await subscribe("starter");
    const { currentMonth } = await import("~/models/usage.server");
    await prisma.usage.create({ data: { shop: SHOP, month: currentMonth(), images: 145, paidImages: 145 } });
    const refused = await postGeneration(app, SHOP, { provider: "gemini" });
    expect(refused.status).toBe(402);
    // The action answers a code and its values; the page renders them in the merchant's language.
    const { form } = (await refused.json()).errors as FieldErrors;
    expect(form).toEqual({ code: "BILLING_CAP_REACHED", values: { cap: 145, used: 145 } });
    expect(render("en", form)).toBe(
      "This month's cap of 145 generative images is reached (145 made or reserved). Raise it on the Plans and billing page, or use the free local provider.",
    );
    expect(render("zh-TW", form)).toMatch(/^本月 145 張生成式圖片的上限已達到/);
    // The local provider is never capped.
    expect((await postGeneration(app, SHOP, { provider: "local" })).status).toBe(302);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPaidPlan } from "~/billing/plans";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import type { UsageIdempotency } from "../../scripts/emulator/billing.ts";
import { answerCharge } from "../../scripts/emulator/test-client.ts";
import type { ApiVersion } from "@shopify/shopify-api";
import { AdminApiError } from "./admin-api.server";
import { ADMIN_API_VERSION } from "./api-version";
import {
  cancelSubscription,
  createSubscription,
  findUsageRecord,
  needsTestCharges,
  raiseCap,
  readSubscription,
  readSubscriptionById,
  recordUsage,
  type Subscription,
  type UsageCharge,
} from "./billing.server";
import { openShop } from "./test-support";

// The billing client against the Admin API emulator: every document it sends is validated there
// against Shopify's 2026-10 schema, and the merchant's answers go through the emulator's approval page.

let emu: Emulator;
const RETURN_URL = "https://app.example/app/billing";
const starter = findPaidPlan("starter")!;
const growth = findPaidPlan("growth")!;

beforeAll(async () => {
  emu = await startEmulator({ seedDemoShop: false });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  await emu.close();
});

async function expectAdminError(promise: Promise<unknown>, code: string): Promise<AdminApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminApiError);
  expect((error as AdminApiError).code).toBe(code);
  return error as AdminApiError;
}

/** A shop with an approved plan (a test charge, as on a development store). */
async function subscribed(plan = starter, cappedAmountCents?: number) {
  const shop = openShop(emu);
  const { confirmationUrl } = await createSubscription(shop.api, plan, {
    returnUrl: RETURN_URL,
    test: true,
    locale: "en",
    cappedAmountCents,
  });
  expect((await answerCharge(confirmationUrl, "approve")).status).toBe(303);
  const subscription = (await readSubscription(shop.api))!;
  const records = () => {
    const stored = shop.record.billing.subscriptions.get(subscription.id)!.lineItems.find((item) => item.kind === "usage");
    return stored?.kind === "usage" ? stored.records : [];
  };
  const charge = (key: string, extra: Partial<UsageCharge> = {}): UsageCharge => ({
    subscriptionId: subscription.id,
    lineItemId: subscription.usageLineItemId!,
    priceCents: plan.pricePerImageCents,
    description: "1 white-background image",
    idempotencyKey: key,
    ...extra,
  });
  const usageCalls = () => shop.calls().filter((c) => c.rootFields.includes("appUsageRecordCreate")).length;
  return { ...shop, subscription, records, charge, usageCalls };
}

describe("plans and approval", () => {
  it("asks a development store for a test charge, and the approved plan becomes the active one", async () => {
    const { shop, api } = openShop(emu);
    emu.billing.setShopPlan(shop, { publicDisplayName: "Development", partnerDevelopment: true });
    const test = await needsTestCharges(api);
    expect(test).toBe(true);
    const { confirmationUrl, subscription: pending } = await createSubscription(api, starter, {
      returnUrl: RETURN_URL,
      test,
      locale: "zh-TW",
    });
    expect(pending).toMatchObject({ status: "PENDING", test: true, plan: starter, cappedAmountCents: 2_000, monthlyPriceCents: 999 });
    expect(await readSubscription(api)).toBeNull();

    const answer = await answerCharge(confirmationUrl, "approve");
    const chargeId = new URL(answer.headers.get("location")!).searchParams.get("charge_id")!;
    const active = await readSubscription(api);
    expect(active).toMatchObject<Partial<Subscription>>({
      id: pending.id,
      plan: starter,
      status: "ACTIVE",
      test: true,
      monthlyPriceCents: 999,
      cappedAmountCents: 2_000,
      balanceUsedCents: 0,
      recurringLineItemId: expect.stringMatching(/index=0$/),
      usageLineItemId: expect.stringMatching(/index=1$/),
    });
    expect(active!.currentPeriodEnd!.getTime()).toBeGreaterThan(Date.now());
    expect((await readSubscriptionById(api, chargeId))?.id).toBe(pending.id);
    // The merchant read the terms in their language on Shopify's page.
    const usage = [...emu.state.shops.get(shop)!.billing.subscriptions.values()][0].lineItems[1];
    expect(usage.kind === "usage" && usage.terms).toContain("每 30 天含 40 張生成圖片");
  });

  it("asks staff stores for test charges too, and ordinary stores for real ones", async () => {
    const { shop, api } = openShop(emu);
    expect(await needsTestCharges(api)).toBe(false);
    emu.billing.setShopPlan(shop, { publicDisplayName: "Staff Business" });
    expect(await needsTestCharges(api)).toBe(true);
  });

  it("leaves the shop on the free plan when the merchant declines", async () => {
    const { api } = openShop(emu);
    const { confirmationUrl, subscription } = await createSubscription(api, growth, { returnUrl: RETURN_URL, test: true, locale: "en" });
    const answer = await answerCharge(confirmationUrl, "decline");
    expect(new URL(answer.headers.get("location")!).searchParams.has("charge_id")).toBe(false);
    expect(await readSubscription(api)).toBeNull();
    expect((await readSubscriptionById(api, subscription.id))?.status).toBe("DECLINED");
  });

  it("replaces the active plan once the merchant approves another, and never lists two", async () => {
    const { api, subscription: first } = await subscribed(starter);
    const { confirmationUrl } = await createSubscription(api, growth, { returnUrl: RETURN_URL, test: true, locale: "en" });
    expect((await readSubscription(api))?.plan?.id).toBe("starter");
    await answerCharge(confirmationUrl, "approve");
    expect((await readSubscription(api))?.plan?.id).toBe("growth");
    expect((await readSubscriptionById(api, first.id))?.status).toBe("CANCELLED");
  });

  it("falls back to the free plan when the subscription is cancelled, even when the cancel's answer is lost", async () => {
    const { shop, api, subscription, calls } = await subscribed();
    emu.loseNextAnswers(shop, "appSubscriptionCancel");
    await cancelSubscription(api, subscription.id);
    expect(calls().filter((c) => c.rootFields.includes("appSubscriptionCancel"))).toHaveLength(2);
    expect(await readSubscription(api)).toBeNull();
    expect((await readSubscriptionById(api, subscription.id))?.status).toBe("CANCELLED");
  });

  it("does not count a frozen subscription (unpaid Shopify bill) as a plan", async () => {
    const { shop, api, subscription } = await subscribed();
    emu.billing.freeze(shop, subscription.id);
    expect(await readSubscription(api)).toBeNull();
    emu.billing.unfreeze(shop, subscription.id);
    expect((await readSubscription(api))?.id).toBe(subscription.id);
  });
});

describe("usage charges, exactly once", () => {
  const modes: UsageIdempotency[] = ["replay", "user-error", "duplicate"];

  it.each(modes)("charges once when the answer is lost after the record was made (repeated key answered as %s)", async (mode) => {
    const { shop, api, records, charge, usageCalls } = await subscribed();
    emu.billing.setUsageIdempotency(shop, mode);
    emu.loseNextAnswers(shop, "appUsageRecordCreate");
    const recorded = await recordUsage(api, charge("output-a"));
    expect(recorded).toMatchObject({ idempotencyKey: "output-a", priceCents: 19, adopted: true });
    expect(records().map((r) => r.idempotencyKey)).toEqual(["output-a"]);
    expect(usageCalls()).toBe(1);
    expect((await readSubscription(api))?.balanceUsedCents).toBe(19);
  });

  it.each(modes)("charges once when a gateway answers 502 after the record was made (repeated key answered as %s)", async (mode) => {
    const { shop, api, records, charge } = await subscribed();
    emu.billing.setUsageIdempotency(shop, mode);
    emu.loseNextAnswers(shop, "appUsageRecordCreate", { status: 502 });
    expect((await recordUsage(api, charge("output-b"))).adopted).toBe(true);
    expect(records()).toHaveLength(1);
  });

  it.each(modes)(
    "adopts the record on a retry after a crash between the charge and saving it (repeated key answered as %s)",
    async (mode) => {
      const { shop, api, records, charge, usageCalls } = await subscribed();
      emu.billing.setUsageIdempotency(shop, mode);
      const sentAt = new Date();
      const first = await recordUsage(api, charge("output-c"));
      // The process died here, before it wrote that the charge was made; its retry knows it sent it at sentAt.
      const retried = await recordUsage(api, charge("output-c", { sentBefore: sentAt }));
      expect(retried).toEqual({ ...first, adopted: true });
      expect(records()).toHaveLength(1);
      expect(usageCalls()).toBe(1);
    },
  );

  it("sends the charge when a retry after a crash finds that the first attempt never reached Shopify", async () => {
    const { api, records, charge } = await subscribed();
    const recorded = await recordUsage(api, charge("output-d", { sentBefore: new Date() }));
    expect(recorded.adopted).toBe(false);
    expect(records().map((r) => r.idempotencyKey)).toEqual(["output-d"]);
  });

  it("needs sentBefore on a retry: against the reported duplicating Shopify a blind resend would charge twice", async () => {
    const { shop, api, records, charge } = await subscribed();
    emu.billing.setUsageIdempotency(shop, "duplicate");
    await recordUsage(api, charge("output-e"));
    await recordUsage(api, charge("output-e"));
    expect(records()).toHaveLength(2);
  });

  it("sends a charge once more only after finding that the lost try made nothing, and never a third time", async () => {
    const { shop, api, records, charge, usageCalls } = await subscribed();
    emu.billing.setUsageIdempotency(shop, "duplicate");
    emu.loseNextAnswers(shop, "appUsageRecordCreate", { count: 3 });
    // The first try made the record: it is found before a second one is sent.
    expect((await recordUsage(api, charge("output-f"), { retryDelayMs: 1 })).adopted).toBe(true);
    expect(usageCalls()).toBe(1);
    expect(records()).toHaveLength(1);

    // Shopify failed before running it (a 503): the lookup finds nothing, so it is sent again, once.
    emu.state.lostAnswers.splice(0);
    emu.failNext(shop, { status: 503 });
    expect((await recordUsage(api, charge("output-g"), { retryDelayMs: 1 })).adopted).toBe(false);
    expect(records().map((r) => r.idempotencyKey)).toEqual(["output-f", "output-g"]);
  });

  it("finds a record by its key among many newer ones, page after page", async () => {
    const { api, subscription, charge } = await subscribed(growth, 10_000);
    const start = new Date(Date.now() - 1000);
    await recordUsage(api, charge("needle", { priceCents: 17 }));
    for (let i = 0; i < 120; i++) await recordUsage(api, charge(`hay-${i}`, { priceCents: 17 }));
    const found = await findUsageRecord(
      api,
      { subscriptionId: subscription.id, lineItemId: subscription.usageLineItemId!, idempotencyKey: "needle" },
      start,
    );
    expect(found).toMatchObject({ idempotencyKey: "needle", adopted: true });
    const missing = await findUsageRecord(
      api,
      { subscriptionId: subscription.id, lineItemId: subscription.usageLineItemId!, idempotencyKey: "never" },
      start,
    );
    expect(missing).toBeNull();
  });

  it("refuses a charge past the capped amount with USAGE_CAP_REACHED, and takes it once the merchant approves a higher cap", async () => {
    const { api, subscription, records, charge } = await subscribed(starter, 38);
    await recordUsage(api, charge("one"));
    await recordUsage(api, charge("two"));
    const refused = await expectAdminError(recordUsage(api, charge("three")), "USAGE_CAP_REACHED");
    expect(refused.transient).toBe(false);
    expect(records()).toHaveLength(2);

    const { confirmationUrl } = await raiseCap(api, { lineItemId: subscription.usageLineItemId!, cappedAmountCents: 57 });
    expect((await readSubscription(api))?.cappedAmountCents).toBe(38);
    await expectAdminError(recordUsage(api, charge("three")), "USAGE_CAP_REACHED");
    await answerCharge(confirmationUrl, "approve");
    expect((await readSubscription(api))?.cappedAmountCents).toBe(57);
    expect((await recordUsage(api, charge("three"))).adopted).toBe(false);
    expect((await readSubscription(api))?.balanceUsedCents).toBe(57);
  });

  it("refuses a charge on a subscription that is no longer active, and a malformed charge before sending it", async () => {
    const { api, subscription, charge, usageCalls } = await subscribed();
    await cancelSubscription(api, subscription.id);
    await expectAdminError(recordUsage(api, charge("late")), "USER_ERROR");
    await expectAdminError(recordUsage(api, charge("half-a-cent", { priceCents: 0.5 })), "USER_ERROR");
    await expectAdminError(recordUsage(api, charge("x".repeat(256))), "USER_ERROR");
    expect(usageCalls()).toBe(1);
  });
});

describe("@shopify/shopify-api's billing helpers (why the app does not use them)", () => {
  it("send no idempotency key: the same charge retried is charged twice", async () => {
    const { shop, token, subscription, records } = await subscribed();
    await import("@shopify/shopify-api/adapters/node");
    const { shopifyApi, BillingInterval, LogSeverity, Session } = await import("@shopify/shopify-api");
    const { setAbstractFetchFunc } = await import("@shopify/shopify-api/runtime");
    const nodeFetch = globalThis.fetch;
    setAbstractFetchFunc((input, init) =>
      nodeFetch(String(input instanceof Request ? input.url : input).replace(`https://${shop}`, `${emu.origin}/${shop}`), init),
    );
    const library = shopifyApi({
      apiKey: "demo-api-key",
      apiSecretKey: "demo-api-secret",
      hostName: "app.example",
      apiVersion: ADMIN_API_VERSION as ApiVersion,
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
      billing: {
        [starter.subscriptionName]: { lineItems: [{ interval: BillingInterval.Usage, amount: 20, currencyCode: "USD", terms: "terms" }] },
      },
    });
    const session = new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: token });
    for (let i = 0; i < 2; i++) {
      await library.billing.createUsageRecord({
        session,
        subscriptionLineItemId: subscription.usageLineItemId!,
        description: "1 image",
        price: { amount: 0.19, currencyCode: "USD" },
        idempotencyKey: "same-output",
        isTest: true,
      });
    }
    expect(records().map((r) => r.idempotencyKey)).toEqual([null, null]);
  });
});

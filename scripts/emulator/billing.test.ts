import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index";
import { answerCharge, postGraphql } from "./test-client";

// The Billing API as the emulator answers it, with raw documents (each validated against the 2026-10
// schema by the emulator itself) and the approval page driven like a browser would.

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ seedDemoShop: false });
});

afterAll(() => emulator.close());

const CREATE = `mutation Subscribe($name: String!, $returnUrl: URL!, $test: Boolean, $lineItems: [AppSubscriptionLineItemInput!]!, $replacementBehavior: AppSubscriptionReplacementBehavior) {
  appSubscriptionCreate(name: $name, returnUrl: $returnUrl, test: $test, lineItems: $lineItems, replacementBehavior: $replacementBehavior) {
    appSubscription { id status test currentPeriodEnd lineItems { id plan { pricingDetails { __typename } } } }
    confirmationUrl
    userErrors { field message }
  }
}`;

const ACTIVE = `query Active {
  currentAppInstallation {
    activeSubscriptions {
      id name status test currentPeriodEnd
      lineItems { id plan { pricingDetails {
        ... on AppRecurringPricing { price { amount currencyCode } interval }
        ... on AppUsagePricing { balanceUsed { amount currencyCode } cappedAmount { amount currencyCode } terms }
      } } }
    }
  }
}`;

const STATUS = `query Status($id: ID!) { node(id: $id) { ... on AppSubscription { id status currentPeriodEnd } } }`;

const CHARGE = `mutation Charge($lineItemId: ID!, $price: MoneyInput!, $description: String!, $key: String) {
  appUsageRecordCreate(subscriptionLineItemId: $lineItemId, price: $price, description: $description, idempotencyKey: $key) {
    appUsageRecord { id idempotencyKey price { amount currencyCode } }
    userErrors { field message }
  }
}`;

const usd = (amount: string) => ({ amount, currencyCode: "USD" });
const starterItems = (capped = "20.00") => [
  { plan: { appRecurringPricingDetails: { price: usd("9.99"), interval: "EVERY_30_DAYS" } } },
  { plan: { appUsagePricingDetails: { cappedAmount: usd(capped), terms: "$0.19 per generated image beyond 40 a month" } } },
];

function openShop() {
  const shop = `bill-${randomUUID().slice(0, 8)}.myshopify.com`;
  emulator.addShop(shop);
  const token = emulator.issueToken(shop);
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const { status, body } = await postGraphql(emulator, shop, token, query, variables);
    expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    return body.data;
  };
  return { shop, token, gql, billing: () => emulator.state.shops.get(shop)!.billing };
}

async function subscribe(gql: ReturnType<typeof openShop>["gql"], name = "Photo Studio Starter", extra: Record<string, unknown> = {}) {
  const data = await gql(CREATE, {
    name,
    returnUrl: "https://app.example/app/billing?plan=starter",
    test: true,
    lineItems: starterItems(),
    ...extra,
  });
  expect(data.appSubscriptionCreate.userErrors).toEqual([]);
  const { appSubscription, confirmationUrl } = data.appSubscriptionCreate;
  return {
    id: appSubscription.id as string,
    confirmationUrl: confirmationUrl as string,
    usageLineItemId: appSubscription.lineItems[1].id as string,
  };
}

async function subscribeAndApprove(gql: ReturnType<typeof openShop>["gql"], name?: string) {
  const created = await subscribe(gql, name);
  expect((await answerCharge(created.confirmationUrl, "approve")).status).toBe(303);
  return created;
}

describe("subscriptions", () => {
  it("creates a pending subscription with Shopify's line item ids and a confirmation page", async () => {
    const { gql } = openShop();
    const data = await gql(CREATE, {
      name: "Photo Studio Starter",
      returnUrl: "https://app.example/app/billing",
      test: true,
      lineItems: starterItems(),
    });
    const { appSubscription, confirmationUrl } = data.appSubscriptionCreate;
    const numeric = appSubscription.id.replace("gid://shopify/AppSubscription/", "");
    expect(appSubscription).toMatchObject({ status: "PENDING", test: true, currentPeriodEnd: null });
    expect(
      appSubscription.lineItems.map((item: { id: string; plan: { pricingDetails: { __typename: string } } }) => [
        item.id,
        item.plan.pricingDetails.__typename,
      ]),
    ).toEqual([
      [`gid://shopify/AppSubscriptionLineItem/${numeric}?v=1&index=0`, "AppRecurringPricing"],
      [`gid://shopify/AppSubscriptionLineItem/${numeric}?v=1&index=1`, "AppUsagePricing"],
    ]);
    expect(confirmationUrl).toMatch(
      new RegExp(`/admin/charges/\\d+/${numeric}/RecurringApplicationCharge/confirm_recurring_application_charge\\?signature=`),
    );
    expect((await gql(ACTIVE)).currentAppInstallation.activeSubscriptions).toEqual([]);

    const page = await fetch(confirmationUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Photo Studio Starter");
    expect(html).toContain("This is a test charge");
    expect(html).toContain("$0.19 per generated image beyond 40 a month");
    expect(html).toMatch(/<button[^>]*value="approve"[^>]*>Approve<\/button>/);
    expect(html).toMatch(/<button[^>]*value="decline"[^>]*>Decline<\/button>/);
  });

  it("activates on approval and sends the merchant back to the return URL with charge_id", async () => {
    const { gql, billing } = openShop();
    const { id, confirmationUrl } = await subscribe(gql);
    const answer = await answerCharge(confirmationUrl, "approve");
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe(`https://app.example/app/billing?plan=starter&charge_id=${id.split("/").pop()}`);

    const [active] = (await gql(ACTIVE)).currentAppInstallation.activeSubscriptions;
    expect(active).toMatchObject({ id, name: "Photo Studio Starter", status: "ACTIVE", test: true });
    expect(Date.parse(active.currentPeriodEnd) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(active.lineItems[0].plan.pricingDetails).toEqual({ price: usd("9.99"), interval: "EVERY_30_DAYS" });
    expect(active.lineItems[1].plan.pricingDetails).toEqual({
      balanceUsed: usd("0.0"),
      cappedAmount: usd("20.0"),
      terms: "$0.19 per generated image beyond 40 a month",
    });
    expect(billing().webhooks.map((w) => [w.topic, (w.payload.app_subscription as { status: string }).status])).toEqual([
      ["app_subscriptions/update", "PENDING"],
      ["app_subscriptions/update", "ACTIVE"],
    ]);
    // The page cannot be answered twice.
    expect((await answerCharge(confirmationUrl, "decline")).status).toBe(422);
  });

  it("marks a declined charge DECLINED and returns without a charge id", async () => {
    const { gql } = openShop();
    const { id, confirmationUrl } = await subscribe(gql);
    const answer = await answerCharge(confirmationUrl, "decline");
    expect(answer.headers.get("location")).toBe("https://app.example/app/billing?plan=starter");
    expect((await gql(STATUS, { id })).node).toEqual({ id, status: "DECLINED", currentPeriodEnd: null });
    expect((await gql(ACTIVE)).currentAppInstallation.activeSubscriptions).toEqual([]);
  });

  it("cancels an active subscription once, and refuses to cancel it again", async () => {
    const { gql } = openShop();
    const { id } = await subscribeAndApprove(gql);
    const cancel = `mutation Cancel($id: ID!) { appSubscriptionCancel(id: $id, prorate: true) { appSubscription { id status } userErrors { field message } } }`;
    expect((await gql(cancel, { id })).appSubscriptionCancel).toEqual({ appSubscription: { id, status: "CANCELLED" }, userErrors: [] });
    expect((await gql(ACTIVE)).currentAppInstallation.activeSubscriptions).toEqual([]);
    const again = (await gql(cancel, { id })).appSubscriptionCancel;
    expect(again.userErrors).toEqual([{ field: ["id"], message: expect.stringContaining("cancelled") }]);
  });

  it("replaces the active plan when the merchant approves another one", async () => {
    const { gql } = openShop();
    const first = await subscribeAndApprove(gql, "Photo Studio Starter");
    const second = await subscribe(gql, "Photo Studio Growth", { replacementBehavior: "APPLY_IMMEDIATELY" });
    // Until the merchant answers, the first plan stays the active one.
    expect((await gql(ACTIVE)).currentAppInstallation.activeSubscriptions.map((s: { id: string }) => s.id)).toEqual([first.id]);
    await answerCharge(second.confirmationUrl, "approve");
    expect((await gql(ACTIVE)).currentAppInstallation.activeSubscriptions.map((s: { name: string }) => s.name)).toEqual([
      "Photo Studio Growth",
    ]);
    expect((await gql(STATUS, { id: first.id })).node.status).toBe("CANCELLED");
  });

  it("lets a development store approve only test charges", async () => {
    const { shop, gql } = openShop();
    emulator.billing.setShopPlan(shop, { publicDisplayName: "Development", partnerDevelopment: true });
    expect((await gql(`query Plan { shop { plan { partnerDevelopment publicDisplayName shopifyPlus } } }`)).shop.plan).toEqual({
      partnerDevelopment: true,
      publicDisplayName: "Development",
      shopifyPlus: false,
    });
    const real = await subscribe(gql, "Photo Studio Starter", { test: false });
    expect(await (await fetch(real.confirmationUrl)).text()).toContain("approve real charges: development stores accept test charges only");
    const refused = await answerCharge(real.confirmationUrl, "approve");
    expect(refused.status).toBe(422);
    expect((await gql(STATUS, { id: real.id })).node.status).toBe("PENDING");

    const test = await subscribe(gql, "Photo Studio Starter", { test: true });
    expect((await answerCharge(test.confirmationUrl, "approve")).status).toBe(303);
    expect((await gql(STATUS, { id: test.id })).node.status).toBe("ACTIVE");
  });

  it("refuses a confirmation page whose signature is not the emulator's", async () => {
    const { gql } = openShop();
    const { confirmationUrl } = await subscribe(gql);
    const forged = confirmationUrl.replace(/signature=[^&]+/, "signature=forged");
    expect((await fetch(forged)).status).toBe(404);
    expect((await answerCharge(forged, "approve")).status).toBe(404);
  });

  it("answers invalid input with userErrors and nothing created", async () => {
    const { gql, billing } = openShop();
    const data = await gql(CREATE, {
      name: "",
      returnUrl: "not a url",
      lineItems: [{ plan: { appUsagePricingDetails: { cappedAmount: usd("0"), terms: "" } } }, { plan: {} }],
    });
    expect(data.appSubscriptionCreate.appSubscription).toBeNull();
    expect(data.appSubscriptionCreate.userErrors.map((e: { field: string[] }) => e.field.join("."))).toEqual([
      "name",
      "returnUrl",
      "lineItems.0.plan.appUsagePricingDetails.cappedAmount",
      "lineItems.0.plan.appUsagePricingDetails.terms",
      "lineItems.1.plan",
    ]);
    expect(billing().subscriptions.size).toBe(0);
  });

  it("validates billing documents against the published schema", async () => {
    const { shop, token } = openShop();
    const { body } = await postGraphql(
      emulator,
      shop,
      token,
      `query Wrong { currentAppInstallation { activeSubscriptions { id cappedAmount } } }`,
    );
    expect(body.errors[0]).toMatchObject({
      message: expect.stringContaining('Cannot query field "cappedAmount" on type "AppSubscription"'),
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
  });
});

describe("usage records", () => {
  it("charges against the capped amount and refuses what would pass it, with Shopify's message", async () => {
    const { gql, billing } = openShop();
    const { usageLineItemId } = await subscribeAndApprove(gql);
    const charge = (amount: string, key: string) =>
      gql(CHARGE, { lineItemId: usageLineItemId, price: usd(amount), description: "1 image", key });
    expect((await charge("19.90", "a")).appUsageRecordCreate.userErrors).toEqual([]);
    expect((await charge("0.19", "b")).appUsageRecordCreate).toEqual({
      appUsageRecord: null,
      userErrors: [{ field: null, message: "Total price exceeds balance remaining" }],
    });
    expect((await charge("0.10", "c")).appUsageRecordCreate.userErrors).toEqual([]);
    const usage = (await gql(ACTIVE)).currentAppInstallation.activeSubscriptions[0].lineItems[1].plan.pricingDetails;
    expect(usage.balanceUsed).toEqual(usd("20.0"));
    expect(billing().webhooks.filter((w) => w.topic === "app_subscriptions/approaching_capped_amount")).toHaveLength(1);
  });

  it("answers a repeated idempotency key with the first record and charges once", async () => {
    const { gql } = openShop();
    const { usageLineItemId } = await subscribeAndApprove(gql);
    const charge = () => gql(CHARGE, { lineItemId: usageLineItemId, price: usd("0.19"), description: "1 image", key: "output-1" });
    const first = (await charge()).appUsageRecordCreate.appUsageRecord;
    const second = (await charge()).appUsageRecordCreate.appUsageRecord;
    expect(second).toEqual(first);
    expect(first).toMatchObject({ idempotencyKey: "output-1", price: usd("0.19") });
    const usage = (await gql(ACTIVE)).currentAppInstallation.activeSubscriptions[0].lineItems[1].plan.pricingDetails;
    expect(usage.balanceUsed).toEqual(usd("0.19"));
  });

  it("can answer a repeated key the two other ways developers reported, for the client's tests", async () => {
    const { shop, gql, billing } = openShop();
    const { usageLineItemId } = await subscribeAndApprove(gql);
    const charge = () => gql(CHARGE, { lineItemId: usageLineItemId, price: usd("0.19"), description: "1 image", key: "output-2" });
    await charge();
    emulator.billing.setUsageIdempotency(shop, "user-error");
    expect((await charge()).appUsageRecordCreate).toEqual({
      appUsageRecord: null,
      userErrors: [{ field: null, message: "Failed to create usage charge" }],
    });
    emulator.billing.setUsageIdempotency(shop, "duplicate");
    await charge();
    const records = [...billing().subscriptions.values()][0].lineItems[1];
    expect(records.kind === "usage" && records.records.map((r) => r.idempotencyKey)).toEqual(["output-2", "output-2"]);
  });

  it("runs a request whose answer is lost: the record exists though the client saw a cut connection", async () => {
    const { shop, token, gql } = openShop();
    const { usageLineItemId } = await subscribeAndApprove(gql);
    emulator.loseNextAnswers(shop, "appUsageRecordCreate");
    await expect(
      postGraphql(emulator, shop, token, CHARGE, { lineItemId: usageLineItemId, price: usd("0.19"), description: "1 image", key: "lost" }),
    ).rejects.toThrow();
    const list = `query Records($id: ID!) { node(id: $id) { ... on AppSubscription { lineItems { usageRecords(first: 5) { nodes { idempotencyKey } } } } } }`;
    const subscriptionId = usageLineItemId.replace("AppSubscriptionLineItem", "AppSubscription").replace(/\?.*$/, "");
    expect((await gql(list, { id: subscriptionId })).node.lineItems[1].usageRecords.nodes).toEqual([{ idempotencyKey: "lost" }]);
    emulator.loseNextAnswers(shop, "appUsageRecordCreate", { status: 502 });
    expect(
      (
        await postGraphql(emulator, shop, token, CHARGE, {
          lineItemId: usageLineItemId,
          price: usd("0.19"),
          description: "1 image",
          key: "gateway",
        })
      ).status,
    ).toBe(502);
    expect((await gql(list, { id: subscriptionId })).node.lineItems[1].usageRecords.nodes).toHaveLength(2);
  });

  it("takes no usage charge on a frozen, pending or recurring-only line item", async () => {
    const { shop, gql } = openShop();
    const pending = await subscribe(gql);
    const refused = (lineItemId: string) =>
      gql(CHARGE, { lineItemId, price: usd("0.19"), description: "1 image" }).then((d) => d.appUsageRecordCreate.userErrors[0]?.field);
    expect(await refused(pending.usageLineItemId)).toEqual(["subscriptionLineItemId"]);
    const active = await subscribeAndApprove(gql);
    expect(await refused(active.usageLineItemId.replace("index=1", "index=0"))).toEqual(["subscriptionLineItemId"]);
    emulator.billing.freeze(shop, active.id);
    expect(await refused(active.usageLineItemId)).toEqual(["subscriptionLineItemId"]);
    expect((await gql(ACTIVE)).currentAppInstallation.activeSubscriptions).toEqual([]);
    emulator.billing.unfreeze(shop, active.id);
    expect(await refused(active.usageLineItemId)).toBeUndefined();
  });

  it("raises the capped amount only once the merchant approves it, and starts a new interval from zero", async () => {
    const { shop, gql } = openShop();
    const { usageLineItemId } = await subscribeAndApprove(gql);
    const raise = `mutation Raise($id: ID!, $cap: MoneyInput!) { appSubscriptionLineItemUpdate(id: $id, cappedAmount: $cap) { confirmationUrl userErrors { field message } } }`;
    const capped = async () => (await gql(ACTIVE)).currentAppInstallation.activeSubscriptions[0].lineItems[1].plan.pricingDetails;
    const { confirmationUrl, userErrors } = (await gql(raise, { id: usageLineItemId, cap: usd("50.00") })).appSubscriptionLineItemUpdate;
    expect(userErrors).toEqual([]);
    expect(confirmationUrl).toContain("/confirm_update_capped_amount?signature=");
    expect((await capped()).cappedAmount).toEqual(usd("20.0"));
    expect(await (await fetch(confirmationUrl)).text()).toContain("Capped at 50.00 USD");
    await answerCharge(confirmationUrl, "approve");
    expect((await capped()).cappedAmount).toEqual(usd("50.0"));
    expect((await gql(raise, { id: usageLineItemId, cap: usd("40.00") })).appSubscriptionLineItemUpdate.userErrors[0].field).toEqual([
      "cappedAmount",
    ]);

    await gql(CHARGE, { lineItemId: usageLineItemId, price: usd("5.00"), description: "images" });
    expect((await capped()).balanceUsed).toEqual(usd("5.0"));
    emulator.billing.endBillingPeriod(shop);
    expect((await capped()).balanceUsed).toEqual(usd("0.0"));
  });
});

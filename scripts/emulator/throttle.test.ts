import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP, startEmulator, type Emulator } from "./index";
import { postGraphql } from "./test-client";

let emulator: Emulator;
let token: string;

beforeAll(async () => {
  emulator = await startEmulator({ restoreRate: 50, bucketSize: 100 });
  token = emulator.issueToken(DEMO_SHOP);
});

afterAll(() => emulator.close());

const PRODUCTS_30 = `query Thirty { products(first: 30) { nodes { id media(first: 2) { nodes { id } } } } }`;

describe("calculated query cost and the leaky bucket", () => {
  it("charges the requested cost up front and refunds what the answer did not use", async () => {
    const { body } = await postGraphql(emulator, DEMO_SHOP, token, `{ products(first: 20) { nodes { title } } }`);
    // 2 for the connection + 20 products requested; the shop has 9, so 2 + 9 are really used.
    expect(body.extensions.cost).toMatchObject({ requestedQueryCost: 22, actualQueryCost: 11 });
    expect(body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 100, restoreRate: 50 });
    expect(body.extensions.cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(89);
    expect(emulator.state.log.at(-1)).toMatchObject({ requestedQueryCost: 22, actualQueryCost: 11, throttled: false });
  });

  it("costs 10 per mutation and counts nested connections", async () => {
    const mutation = await postGraphql(
      emulator,
      DEMO_SHOP,
      token,
      `mutation { stagedUploadsCreate(input: [{resource: IMAGE, filename: "a.jpg", mimeType: "image/jpeg"}]) { userErrors { message } } }`,
    );
    expect(mutation.body.extensions.cost.requestedQueryCost).toBe(10);
    emulator.setThrottle({ bucketSize: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const nested = await postGraphql(emulator, DEMO_SHOP, token, PRODUCTS_30);
    // 2 + 30 × (1 product + 2 + 2 × 1 media)
    expect(nested.body.extensions.cost.requestedQueryCost).toBe(152);
    emulator.setThrottle({ bucketSize: 100 });
  });

  it("throttles a request dearer than what is left without running it, and lets it through after restoring", async () => {
    emulator.setThrottle({ restoreRate: 50, bucketSize: 100 });
    // Enough products that the answers really use what they request, so nothing is refunded.
    const shop = "big-shop.myshopify.com";
    emulator.addShop(shop, { seed: true, productCount: 60 });
    const bigToken = emulator.issueToken(shop);
    const dear = `{ products(first: 45) { nodes { id } } }`;
    const first = await postGraphql(emulator, shop, bigToken, dear);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.extensions.cost.actualQueryCost).toBe(47);
    const second = await postGraphql(emulator, shop, bigToken, dear);
    const third = await postGraphql(emulator, shop, bigToken, dear);
    const throttled = [second, third].find((answer) => answer.body.errors);
    expect(throttled?.status).toBe(200);
    expect(throttled?.body).toMatchObject({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: { cost: { requestedQueryCost: 47, actualQueryCost: null } },
    });
    expect(throttled?.body.data).toBeUndefined();
    expect(emulator.state.log.some((entry) => entry.throttled)).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await postGraphql(emulator, shop, bigToken, dear)).body.errors).toBeUndefined();
  });

  it("refuses a single query over 1000 points whatever the bucket holds", async () => {
    emulator.setThrottle({ bucketSize: 5000 });
    const { body } = await postGraphql(
      emulator,
      DEMO_SHOP,
      token,
      `{ products(first: 250) { nodes { media(first: 10) { nodes { id } } } } }`,
    );
    expect(body.errors[0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
  });
});

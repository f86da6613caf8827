import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { API_KEY, API_SECRET, asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import type * as ApiGenerateModule from "~/routes/api.generate";
import type * as DbModule from "~/infra/db.server";

// The endpoint behind the product-page action and the bulk action (/api/generate) answers only a valid
// session token for this app: no token, a forged, expired, not-yet-valid or another app's token gets
// nothing and starts nothing.

let app: AppTest;
let route: typeof ApiGenerateModule;
let prisma: typeof DbModule.prisma;
let productId: string;

beforeAll(async () => {
  app = await startAppTest();
  route = await import("~/routes/api.generate");
  prisma = (await import("~/infra/db.server")).prisma;
  productId = [...app.emulator.state.shops.get(SHOP_A)!.products.values()][0].id;
});

afterAll(async () => {
  await app?.stop();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A session token as the admin signs it (HS256 with the app's secret), with any claim changed. */
function sessionToken(claims: Record<string, unknown> = {}, secret = API_SECRET) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: "HS256", typ: "JWT" });
  const payload = b64({
    iss: `https://${SHOP_A}/admin`,
    dest: `https://${SHOP_A}`,
    aud: API_KEY,
    sub: "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
    sid: "s1",
    ...claims,
  });
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

function request(method: "GET" | "POST", authorization?: string) {
  const headers = new Headers({ Origin: "https://extensions.shopifycdn.com" });
  if (authorization) headers.set("Authorization", authorization);
  if (method === "POST") headers.set("Content-Type", "application/json");
  return new Request("http://localhost:3000/api/generate", {
    method,
    headers,
    body: method === "POST" ? JSON.stringify({ productIds: [productId], mode: "white" }) : undefined,
  });
}

const now = Math.floor(Date.now() / 1000);
const refused: [string, string | undefined][] = [
  ["no Authorization header", undefined],
  ["a Bearer that is not a token", "Bearer not-a-token"],
  ["a token signed with another secret", `Bearer ${sessionToken({}, "someone-elses-secret")}`],
  ["an expired token", `Bearer ${sessionToken({ exp: now - 120, nbf: now - 300, iat: now - 300 })}`],
  ["a token not valid yet", `Bearer ${sessionToken({ nbf: now + 600, exp: now + 900 })}`],
  ["a token for another app", `Bearer ${sessionToken({ aud: "another-app" })}`],
];

describe("/api/generate, the admin extensions' endpoint", () => {
  for (const [what, authorization] of refused) {
    test(`refuses ${what}, for reading and for generating, and queues nothing`, async () => {
      const read = await call(route.loader, request("GET", authorization));
      const write = await call(route.action, request("POST", authorization));

      for (const response of [read, write]) {
        expect(response.status === 401 || response.status === 302 || response.status === 400).toBe(true);
        expect(await response.text()).not.toMatch(/defaultMode|batchId|jobs/);
      }
      expect(await prisma.job.count()).toBe(0);
      expect(await prisma.batch.count()).toBe(0);
    });
  }

  test("answers a valid token: the control case for the refusals above", async () => {
    const read = await call(
      route.loader,
      await asShop(SHOP_A, "/api/generate", { headers: { Origin: "https://extensions.shopifycdn.com" } }),
    );
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ defaultMode: "white" });
    // The extension runs on Shopify's CDN origin: the answer allows it to read the response.
    expect(read.headers.get("access-control-allow-origin")).toBeTruthy();

    const valid = request("POST", `Bearer ${sessionToken()}`);
    const write = await call(route.action, valid);
    expect(write.status).toBe(200);
    expect((await write.json()).jobs).toHaveLength(1);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(1);

    const { Queue } = await import("bullmq");
    const queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

import { randomUUID } from "node:crypto";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { ADMIN_API_VERSION } from "../../../app/shopify/api-version.ts";
import { check, outcome, SQLITE, type Scenario, type ScenarioContext } from "../scenario.ts";

/** shop/redact as Shopify signs it (HMAC over the body with the app's secret); the shop header is not covered by it. */
async function sendShopRedact(ctx: ScenarioContext, headerShop: string, payloadShop: string) {
  const body = JSON.stringify({ shop_id: 954889, shop_domain: payloadShop });
  const response = await fetch(new URL("/webhooks/shop/redact", ctx.chaos.appUrl), {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": getHmac(body, ctx.chaos.stack.apiSecret),
      "x-shopify-topic": "shop/redact",
      "x-shopify-shop-domain": headerShop,
      "x-shopify-api-version": ADMIN_API_VERSION,
      "x-shopify-webhook-id": randomUUID(),
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  });
  await response.arrayBuffer();
  return response.status;
}

async function holdings(ctx: ScenarioContext, shop: string) {
  const [jobs, sessions, settings] = await Promise.all([
    ctx.prisma.job.count({ where: { shop } }),
    ctx.prisma.session.count({ where: { shop } }),
    ctx.prisma.shopSettings.count({ where: { shop } }),
  ]);
  return { jobs, sessions, settings, total: jobs + sessions + settings };
}

export const scenario: Scenario = {
  id: 14,
  fault: "A validly signed shop/redact webhook for one store, replayed with another store's domain in X-Shopify-Shop-Domain",
  expected: "400, and nothing of either store deleted; the genuine webhook still erases its own store",
  databases: SQLITE,
  async run(ctx) {
    const victim = await ctx.shop("victim", { publishMode: "review" });
    const sender = await ctx.shop("sender", { publishMode: "review" });
    await ctx.doneJob(victim, ctx.products(victim)[0]);
    await ctx.doneJob(sender, ctx.products(sender)[0]);
    const before = await holdings(ctx, victim.shop);
    const forged = await sendShopRedact(ctx, victim.shop, sender.shop);
    const after = await holdings(ctx, victim.shop);
    const senderAfter = await holdings(ctx, sender.shop);
    const genuine = await sendShopRedact(ctx, sender.shop, sender.shop);
    const senderErased = await holdings(ctx, sender.shop);
    return outcome([
      check(forged === 400, `the mismatched webhook answered ${forged}`),
      check(
        after.total === before.total && senderAfter.total > 0,
        `the header's store kept ${after.jobs}/${before.jobs} job(s), ${after.sessions}/${before.sessions} session(s), ${after.settings}/${before.settings} settings`,
      ),
      check(
        genuine === 200 && senderErased.total === 0,
        `the genuine webhook answered ${genuine} and left ${senderErased.total} row(s) of its store`,
      ),
    ]);
  },
};

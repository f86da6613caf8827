import { TERMINAL } from "../audit.ts";
import type { ShopClient } from "../client.ts";
import { startDemo } from "../demo-run.ts";
import { check, outcome, SQLITE, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";

/** Shopify stops accepting the store's stored tokens (expired, rotated or revoked). */
function revokeTokens(ctx: ScenarioContext, client: ShopClient): number {
  let revoked = 0;
  for (const token of ctx.chaos.emulator.state.tokens.values()) {
    if (token.shop === client.shop && !token.revoked) {
      ctx.chaos.emulator.revokeToken(token.token);
      revoked += 1;
    }
  }
  return revoked;
}

/** A page that reads the product through the Admin API, loaded as App Bridge would (it retries once on a 401 asking for it). */
async function loadProductPage(client: ShopClient, productId: string) {
  const answer = await client.load<{ product: { id: string } | null }>(
    `/app/new?productId=${encodeURIComponent(productId)}`,
    "routes/app.new",
  );
  return { status: answer.status, found: Boolean(answer.data.product), text: answer.text.slice(0, 120) };
}

async function pageLoad(ctx: ScenarioContext): Promise<Check[]> {
  const client = await ctx.shop("page");
  const [product] = ctx.products(client);
  revokeTokens(ctx, client);
  const page = await loadProductPage(client, product.id);
  return [
    check(
      page.status === 200 && page.found,
      `(a) page load with a revoked token: ${page.status}${page.found ? ", product shown" : ` ${page.text}`}`,
    ),
  ];
}

async function duringJob(ctx: ScenarioContext): Promise<Check[]> {
  const { chaos } = ctx;
  const client = await ctx.shop("job");
  const [product] = ctx.products(client);
  // The worker is paused while the job is queued and the token revoked, so its first call meets the revoked token.
  const workers = chaos.liveWorkers();
  for (const { child } of workers) child.kill("SIGSTOP");
  let jobId: string;
  try {
    jobId = await ctx.startJob(client, product);
    revokeTokens(ctx, client);
  } finally {
    for (const { child } of workers) child.kill("SIGCONT");
  }
  const failed = await ctx.waitForStatus(client, jobId, TERMINAL, 30_000);
  const reconnect = await loadProductPage(client, product.id);
  const retry = await client.jobAction(jobId, "retry");
  const retried = await ctx.waitForStatus(client, jobId, TERMINAL, 30_000).catch(() => null);
  return [
    check(
      failed.job.status === "failed" && Boolean(failed.job.errorCode) && (failed.job.error ?? "").length > 10,
      `(b) job with a revoked token: "${failed.job.status}" ${failed.job.errorCode ?? "no code"}: "${failed.job.error ?? ""}"`,
    ),
    check(reconnect.status === 200 && reconnect.found, `opening the app again: ${reconnect.status}`),
    check(
      retry.status === 200 && retried?.job.status === "done",
      `Retry ${retry.status}: job "${retried?.job.status ?? "still running"}"${retried?.job.errorCode ? ` (${retried.job.errorCode})` : ""}`,
    ),
  ];
}

async function demoTwice(): Promise<Check[]> {
  const lists: { status: number; products: number; text: string }[] = [];
  for (let run = 0; run < 2; run++) {
    const demo = await startDemo();
    try {
      lists.push(await demo.loadProductList());
    } finally {
      await demo.stop();
    }
  }
  const [first, second] = lists;
  return [
    check(
      first.status === 200 && first.products > 0,
      `(c) npm run demo, first run: product list ${first.status} (${first.products} products)`,
    ),
    check(
      second.status === 200 && second.products > 0,
      `second run: product list ${second.status}${second.products ? ` (${second.products} products)` : `: ${second.text}`}`,
    ),
  ];
}

export const scenario: Scenario = {
  id: 15,
  fault:
    "The Admin API rejects the stored token (the emulator revokes it): (a) during a page load; (b) during a job; (c) `npm run demo` run twice in a row",
  expected:
    "the page recovers by token exchange; the job fails clearly and succeeds on Retry after reconnecting; the second demo run's product list works",
  databases: SQLITE,
  async run(ctx) {
    return outcome([...(await pageLoad(ctx)), ...(await duringJob(ctx)), ...(await demoTwice())]);
  },
};

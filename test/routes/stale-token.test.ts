import { Redis } from "ioredis";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { asShop, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import { captureLogs } from "~/infra/logger.server";
import type * as DbModule from "~/infra/db.server";
import type * as AdminModule from "~/models/admin.server";
import type * as AppNewModule from "~/routes/app.new/route";
import type * as ApiGenerateModule from "~/routes/api.generate";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";

// Shopify refuses the stored access token (the emulator revokes it, as Shopify does when a token is
// rotated or revoked): a page recovers by token exchange in the same request; a job fails with
// UNAUTHORIZED and succeeds when retried after a page has reconnected the shop.

let app: AppTest;
let prisma: typeof DbModule.prisma;
let sessionStorage: typeof AdminModule.sessionStorage;
let routes: {
  newPage: typeof AppNewModule;
  generate: typeof ApiGenerateModule;
  job: typeof AppJobsIdModule;
};
let worker: Worker | undefined;
let workerConnection: Redis | undefined;

beforeAll(async () => {
  app = await startAppTest();
  prisma = (await import("~/infra/db.server")).prisma;
  sessionStorage = (await import("~/models/admin.server")).sessionStorage;
  routes = {
    newPage: await import("~/routes/app.new/route"),
    generate: await import("~/routes/api.generate"),
    job: await import("~/routes/app.jobs.$id/route"),
  };
});

afterAll(async () => {
  await worker?.close();
  workerConnection?.disconnect();
  const { closeQueue } = await import("~/infra/queue.server");
  const { closeAdminConnections } = await import("~/models/admin.server");
  await closeQueue();
  closeAdminConnections();
  await app?.stop();
});

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

const storedToken = async (shop: string) => (await sessionStorage.loadSession(`offline_${shop}`))?.accessToken;

/** What Shopify does to a token it no longer accepts. */
function revokeEveryToken(shop: string) {
  for (const record of app.emulator.state.tokens.values()) if (record.shop === shop) record.revoked = true;
}

function productWithPhotos(shop: string) {
  return [...app.emulator.state.shops.get(shop)!.products.values()].find((p) => p.mediaIds.length > 0)!;
}

const requestsAnswered = (shop: string, status: number) =>
  app.emulator.state.log.filter((e) => e.shop === shop && e.status === status).length;

describe("a page load whose stored token Shopify refuses", () => {
  test("recovers by exchanging the session token for a new access token, in the same request", async () => {
    const product = productWithPhotos(SHOP_A);
    const path = `/app/new?productId=${encodeURIComponent(product.id)}`;
    const first = await call(routes.newPage.loader, await asShop(SHOP_A, path));
    expect(first.status).toBe(200);
    const original = await storedToken(SHOP_A);
    expect(original).toMatch(/^shpat_/);

    revokeEveryToken(SHOP_A);
    const refusedBefore = requestsAnswered(SHOP_A, 401);
    const page = await call(routes.newPage.loader, await asShop(SHOP_A, path));

    expect(page.status).toBe(200);
    expect(((await page.json()) as { product: { title: string } }).product.title).toBe(product.title);
    expect(requestsAnswered(SHOP_A, 401)).toBe(refusedBefore + 1);
    const renewed = await storedToken(SHOP_A);
    expect(renewed).toMatch(/^shpat_/);
    expect(renewed).not.toBe(original);
    expect(app.emulator.state.tokens.get(renewed!)?.revoked).toBe(false);
  });

  test("an extension's request recovers the same way: the bulk action's jobs are queued", async () => {
    const product = productWithPhotos(SHOP_B);
    const post = async () =>
      call(
        routes.generate.action,
        await asShop(SHOP_B, "/api/generate", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ productIds: [product.id], mode: "white" }),
        }),
      );
    expect((await post()).status).toBe(200);
    revokeEveryToken(SHOP_B);
    const response = await post();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { jobs: unknown[] }).jobs).toHaveLength(1);
    await prisma.job.deleteMany({ where: { shop: SHOP_B } });
  });

  test("no token, session token or secret reaches the logs on the way", async () => {
    // Both ways out: the app's logger (every line, at every level) and anything else printed to the console.
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    const spies = (["log", "info", "warn", "debug", "error"] as const).map((level) => vi.spyOn(console, level).mockImplementation(capture));
    const product = productWithPhotos(SHOP_A);
    const request = await asShop(SHOP_A, `/app/new?productId=${encodeURIComponent(product.id)}`);
    const sessionToken = request.headers.get("authorization")!.replace("Bearer ", "");
    const before = await storedToken(SHOP_A);
    revokeEveryToken(SHOP_A);
    const logLines = await captureLogs(async (logged) => {
      expect((await call(routes.newPage.loader, request)).status).toBe(200);
      return logged;
    });
    for (const spy of spies) spy.mockRestore();
    const after = await storedToken(SHOP_A);
    const logged = [...lines, ...logLines.map((line) => JSON.stringify(line))].join("\n");
    for (const secret of [before!, after!, sessionToken, process.env.SHOPIFY_API_SECRET!, process.env.TOKEN_ENCRYPTION_KEY!]) {
      expect(logged).not.toContain(secret);
    }
    expect(logLines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(spies.at(-1)).not.toHaveBeenCalled();
  });
});

describe("a job whose stored token Shopify refuses", () => {
  test("fails with UNAUTHORIZED and a clear reason, and succeeds on Retry once a page has reconnected the shop", async () => {
    const { createStudioWorker } = await import("~/processors/worker.server");
    const product = productWithPhotos(SHOP_A);
    // GIVEN a job queued from the New generation page
    const form = new FormData();
    form.set("productId", product.id);
    form.set("mode", "white");
    form.set("options", "{}");
    form.append("mediaIds", product.mediaIds[0]);
    const created = await call(routes.newPage.action, await asShop(SHOP_A, "/app/new", { method: "POST", body: form }));
    expect(created.status).toBe(302);
    const jobId = created.headers.get("location")!.split("/").pop()!;

    // WHEN Shopify refuses the stored token before the worker runs it
    revokeEveryToken(SHOP_A);
    const [failed, warnings] = await captureLogs(async (lines) => {
      workerConnection = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
      worker = createStudioWorker({ connection: workerConnection, prefix: app.queuePrefix, concurrency: 1 });
      const row = await waitFor("the job to fail", async () => {
        const row = await prisma.job.findFirst({ where: { shop: SHOP_A, id: jobId } });
        return row?.status === "failed" && row;
      });
      return [row, lines] as const;
    });

    // THEN it fails with a code the job page explains, and the shop is marked for re-authentication
    expect(failed.errorCode).toBe("UNAUTHORIZED");
    expect(failed.error).toMatch(/Open the app from your Shopify admin to reconnect it, then retry/);
    expect(await storedToken(SHOP_A)).toBeUndefined();
    expect(warnings).toContainEqual(
      expect.objectContaining({
        level: 40,
        shop: SHOP_A,
        jobId,
        kind: "generate",
        msg: expect.stringContaining("refused the stored access token"),
      }),
    );

    // WHEN the merchant opens the job page (token exchange) and presses Retry
    const page = await call(routes.job.loader, await asShop(SHOP_A, `/app/jobs/${jobId}`), { id: jobId });
    expect(page.status).toBe(200);
    expect(await storedToken(SHOP_A)).toMatch(/^shpat_/);
    const retry = new FormData();
    retry.set("intent", "retry");
    const retried = await call(routes.job.action, await asShop(SHOP_A, `/app/jobs/${jobId}`, { method: "POST", body: retry }), {
      id: jobId,
    });
    expect(retried.status).toBe(200);

    // THEN the job is done
    const done = await waitFor("the retried job to finish", async () => {
      const row = await prisma.job.findFirst({ where: { shop: SHOP_A, id: jobId } });
      return row && ["done", "failed"].includes(row.status) && row;
    });
    expect(done.status).toBe("done");
    expect(done.errorCode).toBeNull();
  });
});

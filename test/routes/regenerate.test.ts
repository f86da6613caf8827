import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Queue } from "bullmq";
import { asShop, call, SHOP_A, SHOP_B, startAppTest, type AppTest } from "../app";
import { english } from "../messages";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";
import type * as DbModule from "~/infra/db.server";

// "Regenerate with changes" on the job page: a new job from the same photos with some options
// changed, queued for real; the earlier job and its outputs stay as they were.

let app: AppTest;
let route: typeof AppJobsIdModule;
let prisma: typeof DbModule.prisma;
let queue: Queue;

beforeAll(async () => {
  app = await startAppTest();
  // A paid provider for the cap's tests; nothing here runs a worker, so it is never called.
  process.env.GEMINI_API_KEY = "test-gemini-key";
  route = await import("~/routes/app.jobs.$id/route");
  prisma = (await import("~/infra/db.server")).prisma;
  const { Queue } = await import("bullmq");
  queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await app?.stop();
});

beforeEach(async () => {
  await prisma.job.deleteMany({});
  await prisma.usage.deleteMany({});
  await prisma.shopSettings.deleteMany({});
});

/** A monthly cap, and this month's paid images so far. */
async function capAt(shop: string, cap: number, made: number) {
  const { currentMonth } = await import("~/models/usage.server");
  await prisma.shopSettings.upsert({ where: { shop }, create: { shop, monthlyCap: cap }, update: { monthlyCap: cap } });
  await prisma.usage.create({ data: { shop, month: currentMonth(), images: made, paidImages: made, costMicros: made * 39_000 } });
}

async function finishedJob(shop: string, mode: "white" | "lifestyle", options: object, status = "done", provider = "local") {
  return prisma.job.create({
    data: {
      shop,
      productId: "gid://shopify/Product/7",
      productTitle: "Linen apron",
      mode,
      provider,
      status,
      options: JSON.stringify(options),
      sources: {
        create: [
          {
            shop,
            position: 0,
            origin: "product",
            shopifyMediaId: "gid://shopify/MediaImage/70",
            url: "https://cdn.shopify.com/apron.jpg",
            width: 1200,
            height: 1500,
          },
          { shop, position: 1, origin: "upload", storageKey: `${shop}/uploads/back.jpg`, width: 900, height: 900, bytes: 123_456 },
        ],
      },
      outputs: {
        create: [
          { shop, position: 0, storageKey: `${shop}/out/0.jpg`, format: "jpeg", width: 2048, height: 2048, bytes: 1000, provider: "local" },
        ],
      },
    },
  });
}

async function regenerate(shop: string, jobId: string, changes: string) {
  const form = new FormData();
  form.set("intent", "regenerate");
  form.set("options", changes);
  return call(route.action, await asShop(shop, `/app/jobs/${jobId}`, { method: "POST", body: form }), { id: jobId });
}

const whiteOptions = { size: 2048, ratio: "1:1", fill: 0.85, shadow: true, format: "jpeg", topView: false };

describe("regenerating a finished job with changes", () => {
  test("queues a new job with the same photos and the changed options, and leaves the first one alone", async () => {
    const earlier = await finishedJob(SHOP_A, "white", whiteOptions);

    const response = await regenerate(SHOP_A, earlier.id, JSON.stringify({ fill: 0.9, shadow: false }));

    expect(response.status).toBe(302);
    const fresh = await prisma.job.findFirstOrThrow({
      where: { shop: SHOP_A, id: { not: earlier.id } },
      include: { sources: { orderBy: { position: "asc" } } },
    });
    expect(new URL(response.headers.get("location")!).pathname).toBe(`/app/jobs/${fresh.id}`);
    expect(JSON.parse(fresh.options)).toEqual({ ...whiteOptions, fill: 0.9, shadow: false });
    expect(fresh).toMatchObject({ productId: earlier.productId, mode: "white", provider: "local", status: "queued" });
    expect(fresh.sources.map((s) => [s.origin, s.shopifyMediaId, s.url, s.storageKey])).toEqual([
      ["product", "gid://shopify/MediaImage/70", "https://cdn.shopify.com/apron.jpg", null],
      ["upload", null, null, `${SHOP_A}/uploads/back.jpg`],
    ]);
    expect((await queue.getJob(`generate-${fresh.id}-0`))?.data).toEqual({ kind: "generate", shop: SHOP_A, jobId: fresh.id, attempt: 0 });

    const untouched = await prisma.job.findUniqueOrThrow({ where: { id: earlier.id }, include: { outputs: true } });
    expect(untouched.status).toBe("done");
    expect(JSON.parse(untouched.options)).toEqual(whiteOptions);
    expect(untouched.outputs).toHaveLength(1);
  });

  test("a lifestyle job can change its preset, style and number of scenes", async () => {
    const earlier = await finishedJob(SHOP_A, "lifestyle", {
      preset: "minimal-studio",
      style: "",
      count: 3,
      ratio: "4:5",
      size: 2048,
      format: "jpeg",
    });

    const response = await regenerate(SHOP_A, earlier.id, JSON.stringify({ preset: "festive", style: "gold ribbon", count: 2 }));

    expect(response.status).toBe(302);
    const fresh = await prisma.job.findFirstOrThrow({ where: { shop: SHOP_A, id: { not: earlier.id } } });
    expect(JSON.parse(fresh.options)).toMatchObject({ preset: "festive", style: "gold ribbon", count: 2, ratio: "4:5" });
  });

  test("out-of-range changes are refused with the field's message and nothing is queued", async () => {
    const earlier = await finishedJob(SHOP_A, "white", whiteOptions);

    const response = await regenerate(SHOP_A, earlier.id, JSON.stringify({ fill: 2 }));

    expect(response.status).toBe(400);
    expect(english((await response.json()).errors).fill).toMatch(/fill from 75% to 95%/);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(1);
  });

  test("a job still running cannot be regenerated yet", async () => {
    const running = await finishedJob(SHOP_A, "white", whiteOptions, "generating");

    const response = await regenerate(SHOP_A, running.id, "{}");

    expect(response.status).toBe(409);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(1);
  });

  test("another shop's job is not found and nothing is made from it", async () => {
    const theirs = await finishedJob(SHOP_B, "white", whiteOptions);

    const response = await regenerate(SHOP_A, theirs.id, "{}");

    expect(response.status).toBe(404);
    expect(await prisma.job.count()).toBe(1);
  });

  test("the monthly cap stops a regeneration on a paid provider as it stops a new job", async () => {
    const earlier = await finishedJob(SHOP_A, "white", whiteOptions, "done", "gemini");
    await capAt(SHOP_A, 5, 5);

    const response = await regenerate(SHOP_A, earlier.id, "{}");

    expect(response.status).toBe(402);
    expect(english((await response.json()).errors).form).toMatch(/cap of 5/);
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(1);
    expect((await prisma.usage.findFirstOrThrow({ where: { shop: SHOP_A } })).reserved).toBe(0);
  });

  test("a regeneration reserves its images, and the local provider is never capped", async () => {
    const paid = await finishedJob(
      SHOP_A,
      "lifestyle",
      { preset: "festive", style: "", count: 3, ratio: "4:5", size: 2048, format: "jpeg" },
      "done",
      "gemini",
    );
    const local = await finishedJob(SHOP_A, "white", whiteOptions);
    await capAt(SHOP_A, 5, 2);

    expect((await regenerate(SHOP_A, paid.id, "{}")).status).toBe(302);
    const fresh = await prisma.job.findFirstOrThrow({ where: { shop: SHOP_A, provider: "gemini", id: { not: paid.id } } });
    expect(fresh).toMatchObject({ reservedImages: 3, status: "queued" });
    expect(await prisma.usage.findFirstOrThrow({ where: { shop: SHOP_A } })).toMatchObject({ paidImages: 2, reserved: 3 });

    // The cap is now full, but local images cost nothing and are never refused.
    expect((await regenerate(SHOP_A, paid.id, "{}")).status).toBe(402);
    expect((await regenerate(SHOP_A, local.id, "{}")).status).toBe(302);
    const localJob = await prisma.job.findFirstOrThrow({ where: { shop: SHOP_A, provider: "local", id: { not: local.id } } });
    expect(localJob).toMatchObject({ reservedImages: 0, status: "queued" });
  });
});

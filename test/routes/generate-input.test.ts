import { afterAll, beforeAll, describe, expect, test } from "vitest";
import sharp from "sharp";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import { english } from "../messages";
import type * as AppNewModule from "~/routes/app.new/route";
import type * as DbModule from "~/infra/db.server";

// Bad input gets a clear error, nothing is queued and nothing is stored.

let app: AppTest;
let route: typeof AppNewModule;
let prisma: typeof DbModule.prisma;
let productId: string;
let mediaIds: string[];

async function photo(width = 400, height = 300) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 60 } } })
    .jpeg()
    .toBuffer();
}

function form(fields: Record<string, string | string[]>, files: { name: string; data: Buffer; type: string }[] = []) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) data.append(key, v);
  }
  for (const file of files) data.append("photos", new File([new Uint8Array(file.data)], file.name, { type: file.type }));
  return data;
}

async function submit(data: FormData) {
  const request = await asShop(SHOP_A, "/app/new", { method: "POST", body: data });
  return call(route.action, request);
}

async function jobCount() {
  return prisma.job.count({ where: { shop: SHOP_A } });
}

beforeAll(async () => {
  app = await startAppTest();
  route = await import("~/routes/app.new/route");
  prisma = (await import("~/infra/db.server")).prisma;
  const shop = app.emulator.state.shops.get(SHOP_A)!;
  const product = [...shop.products.values()].find((p) => p.mediaIds.length >= 1)!;
  productId = product.id;
  mediaIds = [...product.mediaIds];
});

afterAll(async () => {
  await app?.stop();
});

describe("starting a generation with bad input", () => {
  test("a file that is not an image is refused with its name in the message", async () => {
    const response = await submit(
      form({ productId, mode: "white", options: "{}" }, [{ name: "notes.txt", data: Buffer.from("hello"), type: "image/jpeg" }]),
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(english(body.errors).photos).toMatch(/notes\.txt/);
    expect(await jobCount()).toBe(0);
  });

  test("an image over the pixel limit is refused before it is decoded", async () => {
    const huge = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#fff" } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const response = await submit(form({ productId, mode: "white", options: "{}" }, [{ name: "huge.png", data: huge, type: "image/png" }]));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(english(body.errors).photos).toMatch(/huge\.png/);
    expect(await jobCount()).toBe(0);
  });

  test("more than 5 photos are refused", async () => {
    const files = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => ({ name: `p${i}.jpg`, data: await photo(), type: "image/jpeg" })),
    );
    const response = await submit(form({ productId, mode: "white", options: "{}" }, files));
    expect(response.status).toBe(400);
    expect(english((await response.json()).errors).photos).toMatch(/at most 5/);
    expect(await jobCount()).toBe(0);
  });

  test("an unknown product is refused", async () => {
    const response = await submit(
      form({ productId: "gid://shopify/Product/999999999", mode: "white", options: "{}" }, [
        { name: "ok.jpg", data: await photo(), type: "image/jpeg" },
      ]),
    );
    expect(response.status).toBe(404);
    expect(english((await response.json()).errors).productId).toMatch(/does not exist/);
    expect(await jobCount()).toBe(0);
  });

  test("a photo id that belongs to another product is refused", async () => {
    const response = await submit(form({ productId, mode: "white", options: "{}", mediaIds: ["gid://shopify/MediaImage/424242424"] }));
    expect(response.status).toBe(400);
    expect(english((await response.json()).errors).photos).toMatch(/does not belong/);
    expect(await jobCount()).toBe(0);
  });

  test("options outside the allowed ranges are refused per field", async () => {
    const response = await submit(
      form({ productId, mode: "white", options: JSON.stringify({ size: 99999 }), mediaIds: mediaIds.slice(0, 1) }),
    );
    expect(response.status).toBe(400);
    expect(english((await response.json()).errors).size).toBeTruthy();
    expect(await jobCount()).toBe(0);
  });

  test("a valid request queues one job with the chosen photo and redirects to it", async () => {
    const response = await submit(form({ productId, mode: "white", options: "{}", mediaIds: mediaIds.slice(0, 1) }));
    expect(response.status).toBe(302);
    const job = await prisma.job.findFirstOrThrow({ where: { shop: SHOP_A }, include: { sources: true } });
    expect(new URL(response.headers.get("location")!).pathname).toBe(`/app/jobs/${job.id}`);
    expect(job.sources).toHaveLength(1);
    expect(job.sources[0].shopifyMediaId).toBe(mediaIds[0]);
    const { Queue } = await import("bullmq");
    const queue = new Queue("studio", { connection: { host: "127.0.0.1", port: 6379 }, prefix: app.queuePrefix });
    expect(await queue.getJob(`generate-${job.id}-0`)).toBeTruthy();
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

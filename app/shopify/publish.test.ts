import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { AdminApiError, createAdminApi } from "./admin-api.server";
import { publishImages, restoreImages, type PublishImage } from "./publish.server";
import { makePng, openShop } from "./test-support";

let emu: Emulator;
const POLL = { pollIntervalMs: 20, pollTimeoutMs: 10_000 };

beforeAll(async () => {
  emu = await startEmulator({ mediaProcessingMs: 40 });
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  await emu.close();
});

beforeEach(() => {
  emu.setThrottle({ restoreRate: 100, bucketSize: 2000 });
});

async function makeImages(count: number, alt = "Mug on a white background"): Promise<PublishImage[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({ key: `out-${i}`, data: await makePng(i + 1), filename: `mug-${i + 1}.png`, mimeType: "image/png", alt })),
  );
}

async function expectAdminError(promise: Promise<unknown>, code: string): Promise<AdminApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminApiError);
  expect((error as AdminApiError).code).toBe(code);
  return error as AdminApiError;
}

describe("publishImages", () => {
  it("attaches three images with one staged upload and one productUpdate, each READY with its alt text", async () => {
    const { api, product, record, calls } = openShop(emu);
    const before = [...product.mediaIds];
    const recorded: [string, string][] = [];
    const images = await makeImages(3);

    const { results } = await publishImages(api, {
      productId: product.id,
      images,
      position: "append",
      onMediaCreated: async (key, mediaId) => void recorded.push([key, mediaId]),
      ...POLL,
    });

    expect(results.map((r) => [r.key, r.status])).toEqual([["out-0", "READY"], ["out-1", "READY"], ["out-2", "READY"]]);
    expect(recorded).toEqual(results.map((r) => [r.key, r.mediaId]));
    expect(product.mediaIds).toEqual([...before, ...results.map((r) => r.mediaId)]);
    expect(results.map((r) => record.media.get(r.mediaId)!.alt)).toEqual(images.map((i) => i.alt));
    // The bytes Shopify holds are the ones sent, in order (so keys map to the right media).
    for (const [index, result] of results.entries()) {
      const media = record.media.get(result.mediaId)!;
      expect(media.bytes.kind === "buffer" && media.bytes.buffer.equals(images[index].data)).toBe(true);
    }
    const operations = calls().map((c) => c.operationName);
    expect(operations.filter((o) => o === "StagedUploadsCreate")).toHaveLength(1);
    expect(operations.filter((o) => o === "ProductAttachMedia")).toHaveLength(1);
    expect(operations.filter((o) => o === "ProductReorderMedia")).toHaveLength(0);
    console.info("publish 3 images:", {
      calls: calls().length,
      operations,
      requestedCost: calls().reduce((sum, c) => sum + (c.requestedQueryCost ?? 0), 0),
      actualCost: calls().reduce((sum, c) => sum + (c.actualQueryCost ?? 0), 0),
    });
  });

  it("attaches each image exactly once when a worker crashes after recording the media ids and retries", async () => {
    const { api, product, calls } = openShop(emu);
    const before = product.mediaIds.length;
    const images = await makeImages(2);
    const saved = new Map<string, string>();
    const crash = new Error("worker killed");

    const first = publishImages(api, {
      productId: product.id,
      images,
      position: "append",
      onMediaCreated: async (key, mediaId) => {
        saved.set(key, mediaId);
        if (saved.size === images.length) throw crash;
      },
      ...POLL,
    });
    await expect(first).rejects.toBe(crash);
    expect(product.mediaIds).toHaveLength(before + 2);

    const retried = images.map((image) => ({ ...image, existingMediaId: saved.get(image.key) }));
    const { results } = await publishImages(api, { productId: product.id, images: retried, position: "append", ...POLL });

    expect(results.map((r) => r.mediaId)).toEqual(images.map((i) => saved.get(i.key)));
    expect(results.every((r) => r.status === "READY")).toBe(true);
    expect(product.mediaIds).toHaveLength(before + 2);
    expect(calls().filter((c) => c.operationName === "ProductAttachMedia")).toHaveLength(1);
  });

  it("uploads again an image whose earlier media the merchant deleted, and only that one", async () => {
    const { api, product, record } = openShop(emu);
    const images = await makeImages(2);
    const { results: firstResults } = await publishImages(api, { productId: product.id, images, position: "append", ...POLL });
    const [kept, deleted] = firstResults.map((r) => r.mediaId);
    product.mediaIds = product.mediaIds.filter((id) => id !== deleted);
    record.media.delete(deleted);

    const retried = images.map((image, i) => ({ ...image, existingMediaId: firstResults[i].mediaId }));
    const { results } = await publishImages(api, { productId: product.id, images: retried, position: "append", ...POLL });

    expect(results[0].mediaId).toBe(kept);
    expect(results[1].mediaId).not.toBe(deleted);
    expect(results.every((r) => r.status === "READY")).toBe(true);
    expect(product.mediaIds.filter((id) => id === kept)).toHaveLength(1);
  });

  it("makes the new images the first ones, in order, when asked to put them first", async () => {
    const { api, product } = openShop(emu);
    const originals = [...product.mediaIds];
    const { results } = await publishImages(api, { productId: product.id, images: await makeImages(2), position: "first", ...POLL });

    expect(product.mediaIds).toEqual([...results.map((r) => r.mediaId), ...originals]);
  });

  it("puts them first through a PUT staged upload as well", async () => {
    const { api, product } = openShop(emu);
    const { results } = await publishImages(api, {
      productId: product.id,
      images: await makeImages(1),
      position: "first",
      stagedUploadMethod: "PUT",
      ...POLL,
    });
    expect(results[0].status).toBe("READY");
    expect(product.mediaIds[0]).toBe(results[0].mediaId);
  });

  it("rides out THROTTLED answers and a 503 on the way", async () => {
    const { api, product, shop, calls } = openShop(emu);
    emu.failNext(shop, { graphqlErrorCode: "THROTTLED", count: 2 });
    emu.failNext(shop, { status: 503 });
    const { results } = await publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", ...POLL });
    expect(results[0].status).toBe("READY");
    expect(calls().filter((c) => c.throttled)).toHaveLength(2);
    expect(calls().filter((c) => c.status === 503)).toHaveLength(1);
  });

  it("stops with UNAUTHORIZED, attaching nothing, when the token was revoked", async () => {
    const { api, product, token, calls } = openShop(emu);
    const before = [...product.mediaIds];
    emu.revokeToken(token);
    const error = await expectAdminError(publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", ...POLL }), "UNAUTHORIZED");
    expect(error.transient).toBe(false);
    expect(product.mediaIds).toEqual(before);
    expect(calls()).toHaveLength(1);
  });

  it("gives PRODUCT_NOT_FOUND without uploading when the product is gone", async () => {
    const { api, product, record, calls } = openShop(emu);
    record.products.delete(product.id);
    const mediaBefore = record.media.size;
    await expectAdminError(publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", ...POLL }), "PRODUCT_NOT_FOUND");
    expect(record.media.size).toBe(mediaBefore);
    expect(calls().map((c) => c.operationName)).toEqual(["ProductMediaState"]);
  });

  it("gives PRODUCT_NOT_FOUND and attaches nothing when the product is deleted while the images upload", async () => {
    const { shop, token, product, record } = openShop(emu);
    const mediaBefore = record.media.size;
    // The merchant deletes the product between the check and productUpdate.
    const deletingFetch: typeof fetch = async (url, init) => {
      if (typeof init?.body === "string" && init.body.includes('"operationName":"StagedUploadsCreate"')) record.products.delete(product.id);
      return fetch(url, init);
    };
    const api = createAdminApi({ shop, accessToken: token, fetch: deletingFetch, log: { warn: () => {} } });
    await expectAdminError(publishImages(api, { productId: product.id, images: await makeImages(2), position: "append", ...POLL }), "PRODUCT_NOT_FOUND");
    expect(record.media.size).toBe(mediaBefore);
  });

  it("gives MEDIA_LIMIT without uploading when the product has no room left", async () => {
    const { api, product, record, calls } = openShop(emu);
    while (product.mediaIds.length < 249) product.mediaIds.push(`gid://shopify/MediaImage/${9_000_000 + product.mediaIds.length}`);
    const mediaBefore = record.media.size;
    const error = await expectAdminError(publishImages(api, { productId: product.id, images: await makeImages(2), position: "append", ...POLL }), "MEDIA_LIMIT");
    expect(error.message).toContain("249");
    expect(record.media.size).toBe(mediaBefore);
    expect(calls().some((c) => c.operationName === "StagedUploadsCreate")).toBe(false);
  });

  it("gives MEDIA_LIMIT and attaches nothing when the product fills up while the images upload", async () => {
    const { shop, token, product, record } = openShop(emu);
    const fillingFetch: typeof fetch = async (url, init) => {
      if (typeof init?.body === "string" && init.body.includes('"operationName":"StagedUploadsCreate"')) {
        while (product.mediaIds.length < 250) product.mediaIds.push(`gid://shopify/MediaImage/${9_000_000 + product.mediaIds.length}`);
      }
      return fetch(url, init);
    };
    const api = createAdminApi({ shop, accessToken: token, fetch: fillingFetch, log: { warn: () => {} } });
    const mediaBefore = record.media.size;
    await expectAdminError(publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", ...POLL }), "MEDIA_LIMIT");
    expect(record.media.size).toBe(mediaBefore);
  });

  it("reports a file Shopify cannot process as FAILED and removes it, keeping the good one", async () => {
    const { api, product, record } = openShop(emu);
    const originals = [...product.mediaIds];
    const [good] = await makeImages(1);
    const bad: PublishImage = { key: "bad", data: Buffer.from("this is not an image"), filename: "bad.png", mimeType: "image/png", alt: "Broken" };

    const { results } = await publishImages(api, { productId: product.id, images: [bad, good], position: "first", ...POLL });

    expect(results[0]).toMatchObject({ key: "bad", status: "FAILED" });
    expect(results[0].error).toMatch(/could not be processed|not supported/i);
    expect(results[1]).toMatchObject({ key: good.key, status: "READY" });
    expect(record.media.has(results[0].mediaId)).toBe(false);
    expect(product.mediaIds).toEqual([results[1].mediaId, ...originals]);
  });

  it("does not attach twice when productUpdate ran but its answer was lost", async () => {
    const { shop, token, product, calls } = openShop(emu);
    const before = product.mediaIds.length;
    let dropped = false;
    const droppingFetch: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (!dropped && typeof init?.body === "string" && init.body.includes('"operationName":"ProductAttachMedia"')) {
        dropped = true;
        throw new TypeError("fetch failed: socket hang up");
      }
      return response;
    };
    const api = createAdminApi({ shop, accessToken: token, fetch: droppingFetch, log: { warn: () => {} } });
    const { results } = await publishImages(api, { productId: product.id, images: await makeImages(2), position: "append", ...POLL });

    expect(product.mediaIds).toHaveLength(before + 2);
    expect(product.mediaIds.slice(-2)).toEqual(results.map((r) => r.mediaId));
    expect(calls().filter((c) => c.operationName === "ProductAttachMedia")).toHaveLength(1);
  });

  it("gives a transient MEDIA_TIMEOUT when processing outlasts the deadline", async () => {
    const { api, product } = openShop(emu);
    const error = await expectAdminError(
      publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", pollIntervalMs: 10, pollTimeoutMs: 30 }),
      "MEDIA_TIMEOUT",
    );
    expect(error.transient).toBe(true);
  });
});

describe("restoreImages", () => {
  it("removes the app's media, reports the one the merchant already deleted, and leaves the originals", async () => {
    const { api, product, record } = openShop(emu);
    const originals = [...product.mediaIds];
    const { results } = await publishImages(api, { productId: product.id, images: await makeImages(3), position: "first", ...POLL });
    const [a, b, c] = results.map((r) => r.mediaId);
    product.mediaIds = product.mediaIds.filter((id) => id !== b);
    record.media.delete(b);

    const outcome = await restoreImages(api, { productId: product.id, mediaIds: [a, b, c] });

    expect(outcome).toEqual({ removed: [a, c], alreadyGone: [b] });
    expect(product.mediaIds).toEqual(originals);
    expect(originals.every((id) => record.media.has(id))).toBe(true);
  });

  it("never removes media it was not given, and is harmless to repeat", async () => {
    const { api, product } = openShop(emu);
    const originals = [...product.mediaIds];
    const { results } = await publishImages(api, { productId: product.id, images: await makeImages(2), position: "append", ...POLL });
    const [mine, alsoMine] = results.map((r) => r.mediaId);

    expect(await restoreImages(api, { productId: product.id, mediaIds: [mine] })).toEqual({ removed: [mine], alreadyGone: [] });
    expect(product.mediaIds).toEqual([...originals, alsoMine]);
    expect(await restoreImages(api, { productId: product.id, mediaIds: [mine] })).toEqual({ removed: [], alreadyGone: [mine] });
  });
});

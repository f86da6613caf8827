import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { AdminApiError, createAdminApi } from "./admin-api.server";
import { markedFilename, publishImages, readMarker, restoreImages, type PublishImage } from "./publish.server";
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

/** An id shaped like the app's output ids (cuid: lowercase letters and digits). */
const newKey = () => `c${randomUUID().replace(/-/g, "").slice(0, 24)}`;

async function makeImages(count: number, alt = "Mug on a white background"): Promise<PublishImage[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      key: newKey(),
      data: await makePng(i + 1),
      name: "Speckled Mug",
      mimeType: "image/png",
      alt,
    })),
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

/** A fetch that lets `operationName` run on the emulator and then loses its answer, `times` times. */
function losingAnswers(operationName: string, times = 1): typeof fetch {
  let left = times;
  return async (url, init) => {
    const response = await fetch(url, init);
    if (left > 0 && typeof init?.body === "string" && init.body.includes(`"operationName":"${operationName}"`)) {
      left -= 1;
      await response.arrayBuffer();
      throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    }
    return response;
  };
}

const attaches = (calls: () => { operationName: string | null }[]) =>
  calls().filter((c) => c.operationName === "ProductAttachMedia").length;

describe("the marker", () => {
  it("names the file after the product and ends it with the key", () => {
    expect(markedFilename("Speckled Stoneware Mug – white", "cabc12345678", "image/png")).toBe(
      "speckled-stoneware-mug-white-cabc12345678.png",
    );
    expect(markedFilename("馬克杯", "cabc12345678", "image/jpeg")).toBe("image-cabc12345678.jpg");
    expect(() => markedFilename("mug", "Not-A-Key", "image/png")).toThrow();
  });

  it("is read from a staged URL, a CDN URL with Shopify's duplicate suffix and a signed URL, and nowhere else", () => {
    const keys = new Set(["cabc12345678"]);
    expect(readMarker("https://shopify-staged-uploads.storage.googleapis.com/tmp/1/products/u/mug-cabc12345678.png", keys)).toBe(
      "cabc12345678",
    );
    expect(
      readMarker("https://cdn.shopify.com/s/files/1/0496/files/mug-cabc12345678_5f0e3c1a-8b7d-4e2f-9a61-0c9d8e7f6a5b.png?v=17", keys),
    ).toBe("cabc12345678");
    expect(readMarker("https://storage.example/files/MUG-CABC12345678.PNG?X-Goog-Signature=-cabc12345678", keys)).toBe("cabc12345678");
    // The merchant's own files: a longer token, a prefix of the key, the key in the query only, no URL.
    expect(readMarker("https://cdn.shopify.com/s/files/1/files/mug-cabc12345678x.png", keys)).toBeUndefined();
    expect(readMarker("https://cdn.shopify.com/s/files/1/files/mug-cabc1234567.png", keys)).toBeUndefined();
    expect(readMarker("https://cdn.shopify.com/s/files/1/files/mug.png?name=-cabc12345678", keys)).toBeUndefined();
    expect(readMarker(null, keys)).toBeUndefined();
  });
});

describe("publishImages", () => {
  it("attaches three images with one staged upload and one productUpdate, each READY, marked and with its alt text", async () => {
    const { api, product, record, calls } = openShop(emu);
    const before = [...product.mediaIds];
    const recorded: Map<string, string>[] = [];
    const images = await makeImages(3);

    const { results } = await publishImages(api, {
      productId: product.id,
      images,
      position: "append",
      search: false,
      onMediaIds: async (ids) => void recorded.push(new Map(ids)),
      ...POLL,
    });

    expect(results.map((r) => [r.key, r.status])).toEqual(images.map((i) => [i.key, "READY"]));
    expect(recorded).toEqual([new Map(results.map((r) => [r.key, r.mediaId]))]);
    expect(product.mediaIds).toEqual([...before, ...results.map((r) => r.mediaId)]);
    for (const [index, result] of results.entries()) {
      const media = record.media.get(result.mediaId)!;
      expect(media.alt).toBe(images[index].alt);
      expect(media.filename).toBe(`speckled-mug-${images[index].key}.png`);
      // The bytes Shopify holds are the ones sent, so keys map to the right media.
      expect(media.bytes.kind === "buffer" && media.bytes.buffer.equals(images[index].data)).toBe(true);
    }
    const operations = calls().map((c) => c.operationName);
    expect(operations.filter((o) => o === "StagedUploadsCreate")).toHaveLength(1);
    expect(operations.filter((o) => o === "ProductAttachMedia")).toHaveLength(1);
    expect(operations.filter((o) => o === "ProductMarkedMedia")).toHaveLength(0);
    expect(operations.filter((o) => o === "ProductReorderMedia")).toHaveLength(0);
    console.info("publish 3 images:", {
      calls: calls().length,
      operations,
      requestedCost: calls().reduce((sum, c) => sum + (c.requestedQueryCost ?? 0), 0),
      actualCost: calls().reduce((sum, c) => sum + (c.actualQueryCost ?? 0), 0),
    });
  });

  it("records the attach step before productUpdate is sent, and the ids after", async () => {
    const { api, product, calls } = openShop(emu);
    const steps: string[] = [];
    await publishImages(api, {
      productId: product.id,
      images: await makeImages(2),
      position: "append",
      search: false,
      beforeAttach: async (keys) => void steps.push(`before attach (${keys.length}), ${attaches(calls)} sent`),
      onMediaIds: async (ids) => void steps.push(`ids (${ids.size}), ${attaches(calls)} sent`),
      ...POLL,
    });
    expect(steps).toEqual(["before attach (2), 0 sent", "ids (2), 1 sent"]);
  });

  it("sends no productUpdate when recording the attach step fails", async () => {
    const { api, product, calls } = openShop(emu);
    const before = [...product.mediaIds];
    const failure = new Error("database is locked");
    const attempt = publishImages(api, {
      productId: product.id,
      images: await makeImages(1),
      position: "append",
      search: false,
      beforeAttach: async () => {
        throw failure;
      },
      ...POLL,
    });
    await expect(attempt).rejects.toBe(failure);
    expect(attaches(calls)).toBe(0);
    expect(product.mediaIds).toEqual(before);
  });

  it("attaches nothing new on a retry after productUpdate ran and its ids were never saved, and adopts the media", async () => {
    const { api, product, calls } = openShop(emu);
    const before = product.mediaIds.length;
    const images = await makeImages(2);
    const killed = new Error("worker killed before saving the ids");

    const first = publishImages(api, {
      productId: product.id,
      images,
      position: "append",
      search: false,
      onMediaIds: async () => {
        throw killed;
      },
      ...POLL,
    });
    await expect(first).rejects.toBe(killed);
    expect(product.mediaIds).toHaveLength(before + 2);
    const attached = product.mediaIds.slice(-2);

    const { results } = await publishImages(api, { productId: product.id, images, position: "append", search: true, ...POLL });

    expect(results.map((r) => r.mediaId)).toEqual(attached);
    expect(results.every((r) => r.status === "READY")).toBe(true);
    expect(product.mediaIds).toHaveLength(before + 2);
    expect(attaches(calls)).toBe(1);
  });

  it("attaches nothing new on a retry after productUpdate ran and its answer and the search after it were both lost", async () => {
    const { shop, token, product } = openShop(emu);
    const before = product.mediaIds.length;
    const images = await makeImages(1);
    // The mutation runs on Shopify, its answer is lost, and so is the search that would have recovered it.
    let lose = 2;
    const cut: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      const body = typeof init?.body === "string" ? init.body : "";
      if (lose > 0 && /"operationName":"(ProductAttachMedia|ProductMarkedMedia)"/.test(body)) {
        lose -= 1;
        await response.arrayBuffer();
        throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      }
      return response;
    };
    const losing = createAdminApi({ shop, accessToken: token, fetch: cut, log: { warn: () => {} }, retry: { tries: 1 } });
    await expectAdminError(
      publishImages(losing, { productId: product.id, images, position: "append", search: false, ...POLL }),
      "NETWORK_ERROR",
    );
    expect(product.mediaIds).toHaveLength(before + 1);

    const api = createAdminApi({ shop, accessToken: token, log: { warn: () => {} } });
    const { results } = await publishImages(api, { productId: product.id, images, position: "append", search: true, ...POLL });
    expect(product.mediaIds).toHaveLength(before + 1);
    expect(results[0]).toMatchObject({ mediaId: product.mediaIds.at(-1), status: "READY" });
  });

  it("adopts its media by marker, not by position, when the merchant added and deleted media before the retry", async () => {
    const { api, shop, token, product, record } = openShop(emu);
    const images = await makeImages(2);
    await expect(
      publishImages(api, {
        productId: product.id,
        images,
        position: "append",
        search: false,
        onMediaIds: async () => {
          throw new Error("killed");
        },
        ...POLL,
      }),
    ).rejects.toThrow("killed");
    const ours = product.mediaIds.slice(-2);
    // The merchant uploads two photos of their own with the same alt text, and deletes one of their originals.
    const merchant = await publishImages(createAdminApi({ shop, accessToken: token, log: { warn: () => {} } }), {
      productId: product.id,
      images: (await makeImages(2)).map((image) => ({ ...image, name: "merchant photo" })),
      position: "append",
      search: false,
      ...POLL,
    });
    const merchantIds = merchant.results.map((r) => r.mediaId);
    const deleted = product.mediaIds[0];
    product.mediaIds = product.mediaIds.filter((id) => id !== deleted);
    record.media.delete(deleted);

    const { results } = await publishImages(api, { productId: product.id, images, position: "append", search: true, ...POLL });

    expect(results.map((r) => r.mediaId)).toEqual(ours);
    expect(product.mediaIds.slice(-4)).toEqual([...ours, ...merchantIds]);
  });

  it("uploads again an image whose earlier media the merchant deleted, and only that one", async () => {
    const { api, product, record } = openShop(emu);
    const images = await makeImages(2);
    const { results: firstResults } = await publishImages(api, {
      productId: product.id,
      images,
      position: "append",
      search: false,
      ...POLL,
    });
    const [kept, deleted] = firstResults.map((r) => r.mediaId);
    product.mediaIds = product.mediaIds.filter((id) => id !== deleted);
    record.media.delete(deleted);

    const { results } = await publishImages(api, { productId: product.id, images, position: "append", search: true, ...POLL });

    expect(results[0].mediaId).toBe(kept);
    expect(results[1].mediaId).not.toBe(deleted);
    expect(results.every((r) => r.status === "READY")).toBe(true);
    expect(product.mediaIds.filter((id) => id === kept)).toHaveLength(1);
  });

  it("removes a second copy of its image that a retry finds on the product, keeping the first", async () => {
    const { api, product, record } = openShop(emu);
    const [image] = await makeImages(1);
    const first = await publishImages(api, { productId: product.id, images: [image], position: "append", search: false, ...POLL });
    // As if an attach whose answer was given up on had been finished by Shopify later.
    await publishImages(api, { productId: product.id, images: [image], position: "append", search: false, ...POLL });
    const copy = product.mediaIds.at(-1)!;
    expect(copy).not.toBe(first.results[0].mediaId);
    // Shopify's file names are unique in a shop: the copy's got a suffix, and still carries the marker.
    expect(record.media.get(copy)!.filename).toMatch(new RegExp(`-${image.key}_[0-9a-f-]{36}\\.png$`));

    const { results } = await publishImages(api, { productId: product.id, images: [image], position: "append", search: true, ...POLL });

    expect(results[0].mediaId).toBe(first.results[0].mediaId);
    expect(product.mediaIds).toContain(first.results[0].mediaId);
    expect(product.mediaIds).not.toContain(copy);
  });

  it("waits, instead of attaching again, while Shopify does not yet show where a new media came from", async () => {
    const { shop, token, product, calls } = openShop(emu);
    const images = await makeImages(1);
    await expect(
      publishImages(createAdminApi({ shop, accessToken: token, log: { warn: () => {} } }), {
        productId: product.id,
        images,
        position: "append",
        search: false,
        onMediaIds: async () => {
          throw new Error("killed");
        },
        ...POLL,
      }),
    ).rejects.toThrow("killed");
    // The first search's answer shows the new media UPLOADED with no originalSource yet.
    let hidden = 1;
    const hiding: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (hidden === 0 || typeof init?.body !== "string" || !init.body.includes('"operationName":"ProductMarkedMedia"')) return response;
      hidden -= 1;
      const answer = await response.json();
      const last = answer.data.product.media.nodes.at(-1);
      Object.assign(last, { status: "UPLOADED", originalSource: null, image: null });
      return Response.json(answer, { status: response.status });
    };
    const api = createAdminApi({ shop, accessToken: token, fetch: hiding, log: { warn: () => {} } });

    const { results } = await publishImages(api, { productId: product.id, images, position: "append", search: true, ...POLL });

    expect(results[0]).toMatchObject({ mediaId: product.mediaIds.at(-1), status: "READY" });
    expect(attaches(calls)).toBe(1);
    expect(calls().filter((c) => c.operationName === "ProductMarkedMedia")).toHaveLength(2);
  });

  it("makes the new images the first ones, in order, when asked to put them first", async () => {
    const { api, product } = openShop(emu);
    const originals = [...product.mediaIds];
    const { results } = await publishImages(api, {
      productId: product.id,
      images: await makeImages(2),
      position: "first",
      search: false,
      ...POLL,
    });

    expect(product.mediaIds).toEqual([...results.map((r) => r.mediaId), ...originals]);
  });

  it("puts them first through a PUT staged upload as well", async () => {
    const { api, product } = openShop(emu);
    const { results } = await publishImages(api, {
      productId: product.id,
      images: await makeImages(1),
      position: "first",
      search: false,
      stagedUploadMethod: "PUT",
      ...POLL,
    });
    expect(results[0].status).toBe("READY");
    expect(product.mediaIds[0]).toBe(results[0].mediaId);
  });

  it("holds the lock while it writes media and lets go of it while Shopify processes them", async () => {
    const { api, product, calls } = openShop(emu);
    const held: string[][] = [];
    const lock = async <T>(work: (signal: AbortSignal) => Promise<T>) => {
      const from = calls().length;
      try {
        return await work(new AbortController().signal);
      } finally {
        held.push(
          calls()
            .slice(from)
            .map((c) => c.operationName ?? "?"),
        );
      }
    };
    await publishImages(api, { productId: product.id, images: await makeImages(1), position: "first", search: false, lock, ...POLL });
    expect(held[0]).toEqual(["ProductMediaState", "StagedUploadsCreate", "ProductAttachMedia"]);
    expect(held[1][0]).toBe("ProductReorderMedia");
    expect(held.flat()).not.toContain("MediaStatus");
  });

  it("rides out THROTTLED answers and a 503 on the way", async () => {
    const { api, product, shop, calls } = openShop(emu);
    emu.failNext(shop, { graphqlErrorCode: "THROTTLED", count: 2 });
    emu.failNext(shop, { status: 503 });
    const { results } = await publishImages(api, {
      productId: product.id,
      images: await makeImages(1),
      position: "append",
      search: false,
      ...POLL,
    });
    expect(results[0].status).toBe("READY");
    expect(calls().filter((c) => c.throttled)).toHaveLength(2);
    expect(calls().filter((c) => c.status === 503)).toHaveLength(1);
  });

  it("stops with UNAUTHORIZED, attaching nothing, when the token was revoked", async () => {
    const { api, product, token, calls } = openShop(emu);
    const before = [...product.mediaIds];
    emu.revokeToken(token);
    const error = await expectAdminError(
      publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", search: false, ...POLL }),
      "UNAUTHORIZED",
    );
    expect(error.transient).toBe(false);
    expect(product.mediaIds).toEqual(before);
    expect(calls()).toHaveLength(1);
  });

  it("gives PRODUCT_NOT_FOUND without uploading when the product is gone", async () => {
    const { api, product, record, calls } = openShop(emu);
    record.products.delete(product.id);
    const mediaBefore = record.media.size;
    await expectAdminError(
      publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", search: false, ...POLL }),
      "PRODUCT_NOT_FOUND",
    );
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
    await expectAdminError(
      publishImages(api, { productId: product.id, images: await makeImages(2), position: "append", search: false, ...POLL }),
      "PRODUCT_NOT_FOUND",
    );
    expect(record.media.size).toBe(mediaBefore);
  });

  it("gives MEDIA_LIMIT without uploading when the product has no room left", async () => {
    const { api, product, record, calls } = openShop(emu);
    while (product.mediaIds.length < 249) product.mediaIds.push(`gid://shopify/MediaImage/${9_000_000 + product.mediaIds.length}`);
    const mediaBefore = record.media.size;
    const error = await expectAdminError(
      publishImages(api, { productId: product.id, images: await makeImages(2), position: "append", search: false, ...POLL }),
      "MEDIA_LIMIT",
    );
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
    await expectAdminError(
      publishImages(api, { productId: product.id, images: await makeImages(1), position: "append", search: false, ...POLL }),
      "MEDIA_LIMIT",
    );
    expect(record.media.size).toBe(mediaBefore);
  });

  it("reports a file Shopify cannot process as FAILED and removes it, keeping the good one", async () => {
    const { api, product, record } = openShop(emu);
    const originals = [...product.mediaIds];
    const [good, broken] = await makeImages(2);
    const bad: PublishImage = { ...broken, data: Buffer.from("this is not an image"), alt: "Broken" };

    const { results } = await publishImages(api, { productId: product.id, images: [bad, good], position: "first", search: false, ...POLL });

    expect(results[0]).toMatchObject({ key: bad.key, status: "FAILED" });
    expect(results[0].error).toMatch(/could not be processed|not supported/i);
    expect(results[1]).toMatchObject({ key: good.key, status: "READY" });
    expect(record.media.has(results[0].mediaId)).toBe(false);
    expect(product.mediaIds).toEqual([results[1].mediaId, ...originals]);
  });

  it("does not attach twice when productUpdate ran but its answer was lost: it finds the media by marker", async () => {
    const { shop, token, product, calls } = openShop(emu);
    const before = product.mediaIds.length;
    const api = createAdminApi({ shop, accessToken: token, fetch: losingAnswers("ProductAttachMedia"), log: { warn: () => {} } });
    const { results } = await publishImages(api, {
      productId: product.id,
      images: await makeImages(2),
      position: "append",
      search: false,
      ...POLL,
    });

    expect(product.mediaIds).toHaveLength(before + 2);
    expect(product.mediaIds.slice(-2)).toEqual(results.map((r) => r.mediaId));
    expect(attaches(calls)).toBe(1);
  });

  it("gives a transient MEDIA_TIMEOUT when processing outlasts the deadline", async () => {
    const { api, shop, product } = openShop(emu);
    // Held in PROCESSING until released, however late a loaded machine makes the polls.
    const hold = emu.faults.holdProcessing(shop);
    const error = await expectAdminError(
      publishImages(api, {
        productId: product.id,
        images: await makeImages(1),
        position: "append",
        search: false,
        pollIntervalMs: 10,
        pollTimeoutMs: 30,
      }),
      "MEDIA_TIMEOUT",
    ).finally(() => hold.release());
    expect(error.transient).toBe(true);
  });
});

describe("restoreImages", () => {
  it("removes the app's media, reports the one the merchant already deleted, and leaves the originals", async () => {
    const { api, product, record } = openShop(emu);
    const originals = [...product.mediaIds];
    const images = await makeImages(3);
    const { results } = await publishImages(api, { productId: product.id, images, position: "first", search: false, ...POLL });
    const [a, b, c] = results.map((r) => r.mediaId);
    product.mediaIds = product.mediaIds.filter((id) => id !== b);
    record.media.delete(b);

    const outcome = await restoreImages(api, { productId: product.id, keys: images.map((i) => i.key) });

    expect(outcome).toEqual({ removed: [a, c], alreadyGone: [images[1].key] });
    expect(product.mediaIds).toEqual(originals);
    expect(originals.every((id) => record.media.has(id))).toBe(true);
  });

  it("removes only media with the marker of the keys asked for: the merchant's and other outputs' stay, and repeating is harmless", async () => {
    const { api, product } = openShop(emu);
    const images = await makeImages(2);
    const { results } = await publishImages(api, { productId: product.id, images, position: "append", search: false, ...POLL });
    const [mine, alsoMine] = results.map((r) => r.mediaId);
    // The merchant's photo with the same alt text and a name like ours, but not our marker.
    const merchant = await publishImages(api, {
      productId: product.id,
      images: [{ ...(await makeImages(1))[0], name: `mug-${images[0].key}x` }],
      position: "append",
      search: false,
      ...POLL,
    });
    const others = product.mediaIds.filter((id) => id !== mine);

    expect(await restoreImages(api, { productId: product.id, keys: [images[0].key] })).toEqual({ removed: [mine], alreadyGone: [] });
    expect(product.mediaIds).toEqual(others);
    expect(product.mediaIds).toEqual(expect.arrayContaining([alsoMine, merchant.results[0].mediaId]));
    expect(await restoreImages(api, { productId: product.id, keys: [images[0].key] })).toEqual({
      removed: [],
      alreadyGone: [images[0].key],
    });
  });

  it("reports everything already gone when the product was deleted", async () => {
    const { api, product, record } = openShop(emu);
    const images = await makeImages(1);
    await publishImages(api, { productId: product.id, images, position: "append", search: false, ...POLL });
    record.products.delete(product.id);
    expect(await restoreImages(api, { productId: product.id, keys: [images[0].key] })).toEqual({
      removed: [],
      alreadyGone: [images[0].key],
    });
  });
});

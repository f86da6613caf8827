import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SHOP_A, SHOP_B, startAppTest, testStorageKind, type AppTest } from "../app";
import type * as StorageModule from "~/infra/storage.server";
import type * as DbModule from "~/infra/db.server";

// The storage functions every part of the app uses, on the driver TEST_STORAGE picks: a folder (the
// default) or a bucket on a real S3-protocol server on loopback (TEST_STORAGE=s3). The same tests for
// both: whatever the driver, the app sees the same files.

let app: AppTest;
let storage: typeof StorageModule;
let prisma: typeof DbModule.prisma;

beforeAll(async () => {
  app = await startAppTest();
  storage = await import("~/infra/storage.server");
  prisma = (await import("~/infra/db.server")).prisma;
});

afterAll(async () => {
  await app?.stop();
});

const HOUR = 3600_000;

async function stored(key: string): Promise<string | null> {
  return storage.loadFile(key).then(
    (data) => data.toString(),
    () => null,
  );
}

async function readStream(file: { body: ReadableStream<Uint8Array> }): Promise<Buffer> {
  return Buffer.from(await new Response(file.body).arrayBuffer());
}

describe(`storage on ${process.env.TEST_STORAGE ?? "file"}`, () => {
  test("the configured store answers its readiness check", async () => {
    await expect(storage.checkStorage()).resolves.toBeUndefined();
  });

  test("a saved file reads back byte for byte, whole and as a stream with its length; saving again replaces it", async () => {
    const key = storage.fileKey(SHOP_A, "roundtrip", "photo.jpg");
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    await storage.saveFile(key, data);
    expect((await storage.loadFile(key)).equals(data)).toBe(true);
    const opened = await storage.openFile(key, "original", { expires: storage.urlExpiry(), download: false });
    expect(opened).not.toBeNull();
    // Object storage hands browsers a presigned URL instead of the body.
    const served =
      opened && "body" in opened
        ? { via: "body", type: opened.type, bytes: opened.bytes, data: await readStream(opened) }
        : await fetch((opened as { redirect: string }).redirect).then(async (response) => {
            const body = Buffer.from(await response.arrayBuffer());
            return { via: "redirect", type: response.headers.get("content-type"), bytes: body.length, data: body };
          });
    expect({ ...served, data: served.data.equals(data) }).toEqual({
      via: app.storage === "s3" ? "redirect" : "body",
      type: "image/jpeg",
      bytes: data.length,
      data: true,
    });
    await storage.saveFile(key, Buffer.from("second"));
    expect(await stored(key)).toBe("second");
  });

  test("a file that is not there reads as missing, not as an empty file", async () => {
    const key = storage.fileKey(SHOP_A, "nothing", "here.png");
    await expect(storage.loadFile(key)).rejects.toThrow(/No stored file/);
    expect(await storage.openFile(key, "thumbnail", { expires: storage.urlExpiry(), download: false })).toBeNull();
  });

  test("deleting a file deletes it and its thumbnail, and deleting it again is no error", async () => {
    const key = storage.fileKey(SHOP_A, "short", "lived.png");
    await storage.saveFile(key, Buffer.from("original"));
    await storage.saveFile(storage.thumbnailKey(key), Buffer.from("thumbnail"));
    await storage.deleteFile(key);
    expect(await stored(key)).toBeNull();
    expect(await stored(storage.thumbnailKey(key))).toBeNull();
    await expect(storage.deleteFile(key)).resolves.toBeUndefined();
  });

  test("erasing a shop's files deletes all of them, over more than one page of listing, and no other shop's", async () => {
    const shop = "erase-me.myshopify.com";
    // More than one page of a listing (1,000) and of a batch delete (1,000).
    const keys = Array.from({ length: 1003 }, (_, i) => storage.fileKey(shop, `job-${i % 7}`, `${i}.png`));
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => storage.saveFile(key, Buffer.from(key))));
    }
    const kept = storage.fileKey(SHOP_B, "job-0", "0.png");
    await storage.saveFile(kept, Buffer.from("shop B's"));

    expect(await storage.deleteShopFiles(shop)).toBe(keys.length);
    for (const key of [keys[0], keys[999], keys[1002]]) expect(await stored(key)).toBeNull();
    expect(await stored(kept)).toBe("shop B's");
    expect(await storage.deleteShopFiles(shop)).toBe(0);
    // A folder named after the erased shop would still say it was here.
    expect(app.storage === "file" && existsSync(path.join(app.storageDir, shop))).toBe(false);
  });
});

describe("the orphan sweep", () => {
  test("deletes files no row refers to once they are past the grace period, and keeps every file a row refers to", async () => {
    const shop = "sweep.myshopify.com";
    const output = storage.fileKey(shop, "job-1", "output.png");
    const upload = storage.fileKey(shop, "uploads", "upload.jpg");
    // An output whose transaction failed after the file was written, and an upload whose request died.
    const orphanOutput = storage.fileKey(shop, "job-2", "output.png");
    const orphanUpload = storage.fileKey(shop, "uploads", "abandoned.jpg");
    // Another shop's file under a key this shop's rows also name: rows only count for their own shop.
    const otherShops = storage.fileKey(SHOP_B, "job-1", "output.png");
    for (const key of [output, upload, orphanOutput, orphanUpload, otherShops]) await storage.saveFile(key, Buffer.from(key));
    for (const key of [output, orphanOutput]) await storage.saveFile(storage.thumbnailKey(key), Buffer.from("thumb"));
    await prisma.job.create({
      data: {
        shop,
        productId: "gid://shopify/Product/1",
        mode: "white",
        provider: "local",
        status: "done",
        sources: { create: [{ shop, position: 0, origin: "upload", storageKey: upload }] },
        outputs: { create: [{ shop, position: 0, storageKey: output, format: "png", width: 1, height: 1, bytes: 1, provider: "local" }] },
      },
    });

    // Young orphans stay: their rows may be about to be written.
    const young = await storage.sweepOrphanFiles();
    expect(young.deleted).toBe(0);
    expect(await stored(orphanOutput)).not.toBeNull();

    // A day later they are past the grace period.
    const later = await storage.sweepOrphanFiles({ now: new Date(Date.now() + storage.ORPHAN_GRACE_MS + HOUR) });
    for (const key of [orphanOutput, storage.thumbnailKey(orphanOutput), orphanUpload, otherShops]) expect(await stored(key)).toBeNull();
    for (const key of [output, storage.thumbnailKey(output), upload]) expect(await stored(key)).not.toBeNull();
    expect(later.checked).toBeGreaterThanOrEqual(young.checked);
    expect(later.deleted).toBeGreaterThanOrEqual(4);

    // Everything left is referenced: a second run deletes nothing.
    const again = await storage.sweepOrphanFiles({ now: new Date(Date.now() + storage.ORPHAN_GRACE_MS + HOUR) });
    expect(again.deleted).toBe(0);
  });

  test.runIf(testStorageKind() === "file")(
    "on disk, a temporary file a crash left behind goes once it is past the grace period",
    async () => {
      const key = storage.fileKey(SHOP_A, "crashed", "output.png");
      const leftover = path.join(app.storageDir, `${key}.4242.k3j2h1.tmp`);
      mkdirSync(path.dirname(leftover), { recursive: true });
      writeFileSync(leftover, "half an image");
      expect((await storage.sweepOrphanFiles()).deleted).toBe(0);
      await storage.sweepOrphanFiles({ now: new Date(Date.now() + storage.ORPHAN_GRACE_MS + HOUR) });
      expect(existsSync(leftover)).toBe(false);
      expect(existsSync(path.join(app.storageDir, SHOP_A, "crashed"))).toBe(false);
    },
  );
});

import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";
import type * as AppIndexModule from "~/routes/app._index";
import type * as FilesModule from "~/routes/files.$";
import type * as DbModule from "~/infra/db.server";
import type * as StorageModule from "~/infra/storage.server";

// Image URLs stay the same between polls (signed within fixed windows), are served as streams (disk) or
// as a redirect to a presigned URL of the object store (TEST_STORAGE=s3) that the browser may keep no
// longer than the link's life, and lists get small thumbnails made once per file, stored beside it.

let app: AppTest;
let routes: {
  job: typeof AppJobsIdModule;
  home: typeof AppIndexModule;
  files: typeof FilesModule;
};
let prisma: typeof DbModule.prisma;
let storage: typeof StorageModule;
let job: { id: string; outputKey: string; uploadKey: string };

async function photo(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 40 } } })
    .png()
    .toBuffer();
}

beforeAll(async () => {
  app = await startAppTest();
  routes = {
    job: await import("~/routes/app.jobs.$id/route"),
    home: await import("~/routes/app._index"),
    files: await import("~/routes/files.$"),
  };
  prisma = (await import("~/infra/db.server")).prisma;
  storage = await import("~/infra/storage.server");
  const outputKey = storage.fileKey(SHOP_A, "job-files", "output.png");
  const uploadKey = storage.fileKey(SHOP_A, "uploads", "upload.png");
  await storage.saveFile(outputKey, await photo(1600, 1200));
  await storage.saveFile(uploadKey, await photo(1200, 1600));
  const created = await prisma.job.create({
    data: {
      shop: SHOP_A,
      productId: "gid://shopify/Product/1",
      productTitle: "Mug",
      mode: "white",
      provider: "local",
      status: "generating",
      progress: 50,
      sources: { create: [{ shop: SHOP_A, position: 0, origin: "upload", storageKey: uploadKey }] },
      outputs: {
        create: [
          { shop: SHOP_A, position: 0, storageKey: outputKey, format: "png", width: 1600, height: 1200, bytes: 1, provider: "local" },
        ],
      },
    },
  });
  job = { id: created.id, outputKey, uploadKey };
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await app?.stop();
});

async function pollJobPage() {
  const response = await call(routes.job.loader, await asShop(SHOP_A, `/app/jobs/${job.id}`), { id: job.id });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    sources: { url: string; thumbnailUrl: string }[];
    outputs: { url: string; downloadUrl: string }[];
  };
}

/** The app's answer to a /files URL: the file itself, or with object storage its redirect. */
async function askApp(url: string) {
  const full = new URL(url, "http://localhost:3000");
  const key = decodeURIComponent(full.pathname.replace(/^\/files\//, ""));
  return call(routes.files.loader, new Request(full), { "*": key });
}

/** What the browser ends up with for a /files URL: it follows the app's redirect to the store. */
async function fetchFile(url: string) {
  const response = await askApp(url);
  if (response.status !== 302) return response;
  // The store must not be asked for more than the app promised: the redirect lives as long as the link.
  expect(maxAge(response)).toBeGreaterThan(0);
  return fetch(response.headers.get("location")!);
}

function maxAge(response: Response): number {
  return Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") ?? "")?.[1]);
}

/** Until when (Unix seconds) the browser may keep the answer without asking again. */
function freshUntil(response: Response, at: number): number {
  const cacheControl = response.headers.get("cache-control") ?? "";
  expect(cacheControl).toMatch(/private/);
  if (/max-age=/.test(cacheControl)) return at + maxAge(response);
  return Date.parse(response.headers.get("expires") ?? "") / 1000;
}

describe("image URLs while the job page polls", () => {
  test("two polls a second apart return identical image URLs", async () => {
    const first = await pollJobPage();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const second = await pollJobPage();
    expect(second.outputs.map((o) => [o.url, o.downloadUrl])).toEqual(first.outputs.map((o) => [o.url, o.downloadUrl]));
    expect(second.sources).toEqual(first.sources);
    expect(first.outputs[0].url).toMatch(/^\/files\//);
  });

  test("a link signed just before a window ends is still good for the minimum life, and Cache-Control never outlives it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const window = storage.URL_WINDOW_SECONDS;
    const boundary = Math.ceil(Date.now() / 1000 / window + 2) * window;
    for (const at of [boundary - 1, boundary, boundary + 1, boundary + window / 2]) {
      vi.setSystemTime(at * 1000);
      const url = storage.signedFileUrl(job.outputKey);
      const expires = Number(new URL(url, "http://x").searchParams.get("expires"));
      expect(expires - at).toBeGreaterThanOrEqual(storage.URL_MIN_LIFE_SECONDS);
      const response = await fetchFile(url);
      expect(response.status).toBe(200);
      const until = freshUntil(response, at);
      expect(until).toBeLessThanOrEqual(expires);
      expect(until).toBeGreaterThan(at);
      await response.arrayBuffer();
    }
    // After the link's expiry it no longer opens (the store's own expiry is tested in test/storage/s3.test.ts).
    const url = storage.signedFileUrl(job.outputKey);
    vi.setSystemTime(Number(new URL(url, "http://x").searchParams.get("expires")) * 1000 + 1);
    expect((await askApp(url)).status).toBe(403);
  });

  test("two requests for one link in a window get the same answer, and a download is an attachment of the right type", async () => {
    const url = storage.signedFileUrl(job.outputKey, { download: true });
    const [first, second] = [await askApp(url), await askApp(url)];
    expect(second.status).toBe(first.status);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(first.status).toBe(app.storage === "s3" ? 302 : 200);
    await Promise.all([first.body?.cancel(), second.body?.cancel()]);
    const download = await fetchFile(url);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="output.png"');
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await download.arrayBuffer()).equals(await storage.loadFile(job.outputKey))).toBe(true);
  });

  test("the file body is streamed with its length, byte for byte", async () => {
    const response = await fetchFile(storage.signedFileUrl(job.outputKey));
    expect(response.body).toBeInstanceOf(ReadableStream);
    const stored = await storage.loadFile(job.outputKey);
    expect(response.headers.get("content-length")).toBe(String(stored.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(stored)).toBe(true);
  });
});

describe("thumbnails in lists", () => {
  test("the home list, and the job page's photo list, point at thumbnails that fit 256 px", async () => {
    const home = (await (await call(routes.home.loader, await asShop(SHOP_A, "/app"))).json()) as {
      jobs: { id: string; thumbnail: string }[];
    };
    const listed = home.jobs.find((j) => j.id === job.id)!;
    expect(new URL(listed.thumbnail, "http://x").searchParams.get("variant")).toBe("thumbnail");
    const page = await pollJobPage();
    for (const url of [listed.thumbnail, page.sources[0].thumbnailUrl]) {
      const response = await fetchFile(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/webp");
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect(Math.max(meta.width, meta.height)).toBe(256);
    }
    // The full-size image on the job page is the original.
    expect(new URL(page.outputs[0].url, "http://x").searchParams.get("variant")).toBeNull();
  });

  test("a thumbnail is made once and stored beside its file, not made again per request", async () => {
    const url = storage.signedFileUrl(job.outputKey, { thumbnail: true });
    const first = Buffer.from(await (await fetchFile(url)).arrayBuffer());
    const stored = await storage.loadFile(`${job.outputKey}.thumb.webp`);
    expect(stored.equals(first)).toBe(true);
    // Replace the stored thumbnail: a later request serves what is stored instead of encoding again.
    const marker = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#00ff00" } })
      .webp()
      .toBuffer();
    await storage.saveFile(`${job.outputKey}.thumb.webp`, marker);
    expect(Buffer.from(await (await fetchFile(url)).arrayBuffer()).equals(marker)).toBe(true);
  });

  test("deleting a file deletes its thumbnail too", async () => {
    const key = storage.fileKey(SHOP_A, "job-files", "short-lived.png");
    await storage.saveFile(key, await photo(400, 300));
    expect((await fetchFile(storage.signedFileUrl(key, { thumbnail: true }))).status).toBe(200);
    await storage.deleteFile(key);
    await expect(storage.loadFile(`${key}.thumb.webp`)).rejects.toThrow();
    expect((await fetchFile(storage.signedFileUrl(key, { thumbnail: true }))).status).toBe(404);
  });

  test("a URL signed for the original does not open the thumbnail, nor the other way round", async () => {
    const original = new URL(storage.signedFileUrl(job.outputKey), "http://x");
    original.searchParams.set("variant", "thumbnail");
    expect((await fetchFile(`${original.pathname}${original.search}`)).status).toBe(403);
    const thumbnail = new URL(storage.signedFileUrl(job.outputKey, { thumbnail: true }), "http://x");
    thumbnail.searchParams.delete("variant");
    expect((await fetchFile(`${thumbnail.pathname}${thumbnail.search}`)).status).toBe(403);
  });
});

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asShop, call, SHOP_A, startAppTest, type AppTest } from "../app";
import { english } from "../messages";
import type { FieldErrors } from "~/i18n/index";
import { abusiveUploads, MB, multipartBody, type Part } from "../multipart-body";
import type * as AppNewModule from "~/routes/app.new/route";
import type * as ApiGenerateModule from "~/routes/api.generate";
import type * as AppJobsIdModule from "~/routes/app.jobs.$id/route";
import type * as DbModule from "~/infra/db.server";

// Request bodies are bounded: refused before reading when Content-Length says too much, and counted as
// they stream when it does not. Uploads are written to a temporary folder, never held in memory, and
// the folder is gone after the request.

let app: AppTest;
let routes: {
  newPage: typeof AppNewModule;
  generate: typeof ApiGenerateModule;
  job: typeof AppJobsIdModule;
};
let prisma: typeof DbModule.prisma;
let fields: Part[];
const uploadsDir = mkdtempSync(path.join(tmpdir(), "studio-upload-test-"));
const previousTmp = process.env.TMPDIR;

beforeAll(async () => {
  // Temporary upload folders of this file's requests land here, where the test can count them.
  process.env.TMPDIR = uploadsDir;
  app = await startAppTest();
  routes = {
    newPage: await import("~/routes/app.new/route"),
    generate: await import("~/routes/api.generate"),
    job: await import("~/routes/app.jobs.$id/route"),
  };
  prisma = (await import("~/infra/db.server")).prisma;
  const product = [...app.emulator.state.shops.get(SHOP_A)!.products.values()].find((p) => p.mediaIds.length > 0)!;
  fields = [
    { name: "productId", value: product.id },
    { name: "mode", value: "white" },
    { name: "options", value: "{}" },
  ];
});

afterAll(async () => {
  process.env.TMPDIR = previousTmp;
  rmSync(uploadsDir, { recursive: true, force: true });
  await app?.stop();
});

const leftoverUploads = () =>
  readdirSync(uploadsDir).filter((name) => name.startsWith("studio-upload-") && name !== path.basename(uploadsDir));

async function post(parts: Part[], { declareLength }: { declareLength: boolean }) {
  const body = multipartBody(parts);
  const headers: Record<string, string> = { "content-type": body.contentType };
  if (declareLength) headers["content-length"] = String(body.length);
  const request = await asShop(SHOP_A, "/app/new", { method: "POST", headers, body: body.stream, duplex: "half" });
  const response = await call(routes.newPage.action, request);
  // What was read to reach the answer; after a refusal the server goes on reading for a while and
  // throws it away (discardRest), so that the client can read the refusal before the connection closes.
  const pulledAtAnswer = body.pulled();
  return { response, body, pulledAtAnswer, errors: english(((await response.json()) as { errors: FieldErrors }).errors) };
}

const LIMIT = 5 * 25 * MB + 256 * 1024;

describe("the New generation page's upload", () => {
  const declared = Object.entries({
    ...abusiveUploads([]),
    "a part of 26 MB": [{ name: "photos", filename: "big.jpg", bytes: 26 * MB }],
  }).map(([name, parts]) => ({ name, parts, total: multipartBody([...parts]).length }));

  for (const { name, parts } of declared.filter(({ total }) => total > LIMIT)) {
    test(`${name} with its Content-Length is refused before the body is read`, async () => {
      const { response, pulledAtAnswer, errors } = await post(parts, { declareLength: true });
      expect(response.status).toBe(413);
      expect(errors.photos).toBe("The request is too large.");
      // At most the first chunk, which the Request may take on creation; nothing the parser asked for.
      expect(pulledAtAnswer).toBeLessThan(1024);
    });
  }

  for (const { name, parts, total } of declared.filter(({ total }) => total <= LIMIT)) {
    test(`${name} with its Content-Length, within the total, is refused while streaming, at the part that breaks a limit`, async () => {
      const { response, pulledAtAnswer } = await post(parts, { declareLength: true });
      expect([400, 413]).toContain(response.status);
      expect(pulledAtAnswer).toBeLessThan(total);
    });
  }

  test("50 parts of 25 MB sent chunked are refused at the sixth file, having read no more than five", async () => {
    const parts = abusiveUploads(fields)["50 parts of 25 MB"];
    const { response, pulledAtAnswer, errors } = await post(parts, { declareLength: false });
    expect(response.status).toBe(400);
    expect(errors.photos).toBe("Use at most 5 photos.");
    expect(pulledAtAnswer).toBeLessThan(5 * 25 * MB + 1 * MB);
  });

  test("a sixth file is refused with 400, and nothing is queued", async () => {
    const { response, errors } = await post(abusiveUploads(fields)["a sixth file"], { declareLength: false });
    expect(response.status).toBe(400);
    expect(errors.photos).toBe("Use at most 5 photos.");
    expect(await prisma.job.count({ where: { shop: SHOP_A } })).toBe(0);
  });

  test("a 1 GB body sent chunked is refused at the 25 MB file limit", async () => {
    const { response, pulledAtAnswer, errors } = await post(abusiveUploads(fields)["a 1 GB body"], { declareLength: false });
    expect(response.status).toBe(413);
    expect(errors.photos).toBe("Each photo must be 25 MB or smaller.");
    expect(pulledAtAnswer).toBeLessThan(27 * MB);
  });

  test("five photos of exactly 25 MB pass the file limit, and padding past the total is refused at the total", async () => {
    // Five legal 25 MB photos and fields padded past the total: the count stops the stream.
    const parts: Part[] = [
      ...fields,
      ...Array.from({ length: 5 }, (_, i) => ({ name: "photos", filename: `p${i}.jpg`, bytes: 25 * MB })),
      { name: "mediaIds", value: "x".repeat(15 * 1024) },
    ];
    for (let i = 0; i < 20; i++) parts.push({ name: "mediaIds", value: "x".repeat(15 * 1024) });
    const { response, errors } = await post(parts, { declareLength: false });
    expect(response.status).toBe(413);
    expect(errors.photos).toBe("The request is too large.");
  });

  test("a field the page does not send is refused before anything else is read", async () => {
    const parts: Part[] = [{ name: "junk", value: "x" }, ...fields, { name: "photos", filename: "a.jpg", bytes: 20 * MB }];
    const { response, pulledAtAnswer, errors } = await post(parts, { declareLength: false });
    expect(response.status).toBe(400);
    expect(errors.form).toBe("The form has a field this page does not send: junk.");
    expect(pulledAtAnswer).toBeLessThan(1 * MB);
  });

  test("a field longer than its limit is refused", async () => {
    const { response, errors } = await post([...fields, { name: "mediaIds", value: "x".repeat(17 * 1024) }], { declareLength: false });
    expect(response.status).toBe(400);
    expect(errors.mediaIds).toBe("mediaIds is too long.");
  });

  test("photos within the limits are stored with the job, read back from the temporary folder", async () => {
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 20, g: 120, b: 200 } } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    for (const field of fields) form.set(field.name, field.value!);
    form.append("photos", new File([new Uint8Array(jpeg)], "one.jpg", { type: "image/jpeg" }));
    form.append("photos", new File([new Uint8Array(jpeg)], "two.jpg", { type: "image/jpeg" }));
    const response = await call(routes.newPage.action, await asShop(SHOP_A, "/app/new", { method: "POST", body: form }));
    expect(response.status).toBe(302);
    const jobId = response.headers.get("location")!.split("/").pop()!;
    const sources = await prisma.sourceImage.findMany({ where: { shop: SHOP_A, jobId }, orderBy: { position: "asc" } });
    expect(sources.map((s) => [s.origin, s.width, s.height])).toEqual([
      ["upload", 640, 480],
      ["upload", 640, 480],
    ]);
    const { loadFile } = await import("~/infra/storage.server");
    expect((await loadFile(sources[0].storageKey!)).length).toBeGreaterThan(0);
    await prisma.job.deleteMany({ where: { shop: SHOP_A } });
  });

  test("no temporary upload folder is left behind, refused or not", () => {
    expect(leftoverUploads()).toEqual([]);
  });
});

describe("other request bodies", () => {
  test("the extensions' endpoint refuses a JSON body over its limit (40 bytes for each of the 50,000 products a selection may hold) with 413 and CORS headers", async () => {
    const big = JSON.stringify({ productIds: Array.from({ length: 80_000 }, (_, i) => `gid://shopify/Product/${1_000_000_000 + i}`) });
    expect(big.length).toBeGreaterThan(50_000 * 40 + 1024);
    const request = await asShop(SHOP_A, "/api/generate", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://extensions.shopifycdn.com" },
      body: big,
    });
    const response = await call(routes.generate.action, request);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { body?: string; form?: string } }).errors.form).toBe("The request is too large.");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });

  test("a job page form over 100 KB is refused with 413", async () => {
    const form = new URLSearchParams({ intent: "regenerate", options: "x".repeat(101 * 1024) });
    const request = await asShop(SHOP_A, "/app/jobs/none", { method: "POST", body: form });
    const response = await call(routes.job.action, request, { id: "none" });
    expect(response.status).toBe(413);
  });
});

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import type { Stack } from "../../scripts/demo-stack.ts";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import { testStorageKind } from "../app";
import { embeddedUrl, launchBrowser, newPage, startTestStack, watchErrors } from "./browser";

// The batch page polls every second while jobs run. Its thumbnails must keep their URLs from poll to
// poll, so that the browser downloads each image once instead of once a second. With TEST_STORAGE=s3
// the app redirects each one to a presigned URL of the loopback S3 server: fetched once too.

let stack: Stack;
let browser: Browser;
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function startBatch(count: number): Promise<string> {
  const session = await fetch(`${stack.appUrl}/demo/session-token?shop=${DEMO_SHOP}`, { headers: { "user-agent": USER_AGENT } });
  const { token } = (await session.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, "user-agent": USER_AGENT };
  const { products } = (await (await fetch(`${stack.appUrl}/demo/products`, { headers })).json()) as { products: { id: string }[] };
  const response = await fetch(`${stack.appUrl}/api/generate`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ productIds: products.slice(0, count).map((p) => p.id), mode: "white" }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { batchId: string }).batchId;
}

describe("the batch page while it polls", () => {
  test("requests each thumbnail once, however many polls come after it appeared", async () => {
    const batchId = await startBatch(3);
    const page = await newPage(browser);
    const errors = watchErrors(page);
    const fileRequests: string[] = [];
    const storeRequests: string[] = [];
    let polls = 0;
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.searchParams.has("X-Amz-Signature")) storeRequests.push(url.pathname);
      if (url.pathname.startsWith("/files/")) fileRequests.push(url.pathname + url.search);
      if (url.searchParams.get("_data")?.startsWith("routes/app.batches")) polls += 1;
    });
    await page.goto(embeddedUrl(stack, `/app/batches/${batchId}`));

    // Polls keep coming while the later jobs run, with the first thumbnails on the page.
    await page.getByRole("img").first().waitFor({ timeout: 180_000 });
    const pollsWithThumbnail = polls;
    await expect.poll(async () => page.getByRole("img").count(), { timeout: 180_000 }).toBe(3);
    await page.waitForTimeout(1500);

    expect(polls - pollsWithThumbnail).toBeGreaterThanOrEqual(1);
    expect(new Set(fileRequests).size).toBe(3);
    expect(fileRequests).toHaveLength(3);
    expect(fileRequests.every((url) => url.includes("variant=thumbnail"))).toBe(true);
    expect(storeRequests).toHaveLength(testStorageKind() === "s3" ? 3 : 0);
    expect(storeRequests.every((pathname) => pathname.endsWith(".thumb.webp"))).toBe(true);
    // Every one of them arrived as an image.
    const widths = await page.getByRole("img").evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
    expect(widths.every((width) => width > 0 && width <= 256)).toBe(true);
    expect(errors).toEqual([]);
  });
});

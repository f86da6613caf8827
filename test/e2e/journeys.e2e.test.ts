import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import type { Stack } from "../../scripts/demo-stack.ts";
import { embeddedUrl, launchBrowser, newPage, SCREENSHOTS, startTestStack, watchErrors } from "./browser";

// The merchant's journeys beyond the first generation, in Chromium against the demo stack (built app,
// worker, Admin API emulator, the extensions' real bundles in the demo admin): from the product-page
// action to review, publish and restore; a job that fails and its retry.

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  page = await newPage(browser);
  errors = watchErrors(page);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

function demoProduct(title: string) {
  const product = [...stack.emulator.state.shops.get(DEMO_SHOP)!.products.values()].find((p) => p.title === title);
  if (!product) throw new Error(`No demo product ${title}`);
  return product;
}

describe("from the product-page action to the product's media", () => {
  const title = "Speckled Stoneware Mug";
  let originalMedia: string[];

  test("the action on the product page starts lifestyle photography and links to the job", async () => {
    originalMedia = [...demoProduct(title).mediaIds];

    // GIVEN the admin's product list, WHEN the merchant opens the app's action on the mug
    await page.goto(`${stack.appUrl}/demo/admin`);
    await page.getByRole("button", { name: `Generate photos – ${title}` }).click();
    const modal = page.frameLocator("iframe[title='Generate photos']");
    // The extension read the product's title itself (shopify.query) and preselected the shop's default
    await modal.getByText(title, { exact: true }).waitFor();
    await expect.poll(() => modal.getByRole("radio", { name: "White background" }).isChecked()).toBe(true);

    // AND chooses lifestyle photography and generates
    await modal.getByRole("radio", { name: "Lifestyle photography" }).click();
    await modal.getByRole("button", { name: "Generate" }).click();

    // THEN the modal confirms and links to the job in the app
    await modal.getByRole("status").filter({ hasText: "Generation started" }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "product-action-queued-en.png") });
    await modal.getByRole("link", { name: "View the job" }).click();
    await page.waitForURL(/\/app\/jobs\//);
    await page.getByText("Done", { exact: true }).first().waitFor({ timeout: 180_000 });
    await expect.poll(() => page.getByTestId("output-image").count()).toBe(3);
    await expect.poll(() => page.getByRole("button", { name: "Publish to product" }).count()).toBe(3);
    // Nothing reached the product before the merchant approves
    expect(demoProduct(title).mediaIds).toEqual(originalMedia);
  });

  test("review: one result rejected, the others published together; the product keeps its photos", async () => {
    await page.getByRole("button", { name: "Reject" }).nth(2).click();
    await page.getByText("Rejected", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Publish all" }).click();
    await expect.poll(() => page.getByText("Published", { exact: true }).count(), { timeout: 60_000 }).toBe(2);
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-reviewed-en.png"), fullPage: true });

    const media = demoProduct(title).mediaIds;
    expect(media).toHaveLength(originalMedia.length + 2);
    expect(media.slice(0, originalMedia.length)).toEqual(originalMedia);
  });

  test("restore: a published result comes off the product, the originals stay, and it can be published again", async () => {
    await page.getByRole("button", { name: "Remove from product" }).first().click();
    await page.getByText("Removed from product", { exact: true }).waitFor({ timeout: 60_000 });

    const media = demoProduct(title).mediaIds;
    expect(media).toHaveLength(originalMedia.length + 1);
    expect(media.slice(0, originalMedia.length)).toEqual(originalMedia);
    await expect.poll(() => page.getByRole("button", { name: "Publish to product" }).count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-restored-en.png"), fullPage: true });
  });
});

describe("a job that fails, and its retry", () => {
  test("a photo Shopify cannot serve fails the job with the reason; Retry makes the images", async () => {
    const title = "Everyday Canvas Sneaker";
    const product = demoProduct(title);
    await page.goto(embeddedUrl(stack, `/app/new?productId=${encodeURIComponent(product.id)}`));
    await page.getByText(title, { exact: true }).first().waitFor();
    await expect.poll(() => page.getByRole("checkbox", { name: "Photos 1" }).isChecked()).toBe(true);
    // One photo, so the failing download is the job's only one
    await page.getByRole("checkbox", { name: "Photos 2" }).uncheck();
    await page.getByText("1 of 5 selected").waitFor();
    // The page's own thumbnails of the photos come from the same CDN: loaded first, so that the one
    // failing download is the worker's and not the browser's (on a busy machine they load late).
    await page.waitForFunction(() =>
      [...document.images].filter((image) => image.src.includes("/cdn/")).every((image) => image.complete && image.naturalWidth > 0),
    );
    // The next download of a product photo from Shopify's CDN (the worker's) answers 404.
    stack.emulator.failDownloads(DEMO_SHOP, { status: 404, count: 1 });
    await page.getByRole("button", { name: "Generate" }).click();

    await page.waitForURL(/\/app\/jobs\//);
    await page.getByText("Failed", { exact: true }).first().waitFor({ timeout: 60_000 });
    // The banner's title comes from the failure's code, in the merchant's language; the exact reason follows.
    await page.getByText("The product photo could not be fetched", { exact: true }).waitFor();
    await page.getByText("Exact reason: The product photo could not be downloaded (HTTP 404).").waitFor();
    await page.getByText(/Check the photo is still on the product, then retry/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-failed-en.png"), fullPage: true });
    // The same failure for a merchant whose admin is in Traditional Chinese: title and hint in Chinese, the
    // recorded reason beneath, marked as the exact (English) reason.
    const jobPath = new URL(page.url()).pathname;
    const chinese = await page.context().newPage();
    await chinese.goto(embeddedUrl(stack, jobPath, "zh-TW"));
    await chinese.getByText("無法取得商品相片", { exact: true }).waitFor();
    await chinese.getByText("確切原因（英文）：The product photo could not be downloaded (HTTP 404).").waitFor();
    await chinese.waitForFunction(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0));
    await chinese.screenshot({ path: path.join(SCREENSHOTS, "job-failed-zh-TW.png"), fullPage: true });
    await chinese.close();

    await page.getByRole("button", { name: "Retry" }).click();
    await page.getByText("Done", { exact: true }).first().waitFor({ timeout: 120_000 });
    await page.getByTestId("output-image").first().waitFor();
    await expect.poll(() => page.getByText("The product photo could not be downloaded (HTTP 404).").count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-retried-en.png"), fullPage: true });
  });
});

describe("keyboard use", () => {
  test("keyboard only: the mode and the preset are chosen with arrow keys, and Generate with Enter", async () => {
    const product = demoProduct("Speckled Stoneware Mug");
    await page.goto(embeddedUrl(stack, `/app/new?productId=${encodeURIComponent(product.id)}`));
    await page.getByRole("radio", { name: "White background" }).focus();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => page.getByRole("radio", { name: "Lifestyle photography" }).isChecked()).toBe(true);

    await page.getByRole("radio", { name: "Minimal studio" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.getByRole("radio", { name: "Rustic wood" }).isChecked()).toBe(true);
    // The focused preset card shows a focus ring
    const outline = await page.getByTestId("preset-rustic-wood").evaluate((card) => getComputedStyle(card).outlineColor);
    expect(outline).not.toBe("rgba(0, 0, 0, 0)");

    await page.getByRole("button", { name: "Generate" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/app\/jobs\//);
    await page.getByText("Lifestyle photography", { exact: true }).first().waitFor();
  });

  test("no errors in the browser console in any journey above", () => {
    expect(errors).toEqual([]);
  });
});

describe("an id that is not the shop's", () => {
  test("a job id that is not this shop's shows a clear message inside the app, with a way home", async () => {
    // The document answers 404 (the browser logs that), after the console check above.
    await page.goto(embeddedUrl(stack, "/app/jobs/not-a-job"));
    await page.getByRole("heading", { name: "This job does not exist in this store." }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-not-found-en.png") });
    await page.getByRole("link", { name: "Home" }).first().click();
    await page.getByRole("heading", { name: "Photo studio" }).waitFor();
  });
});

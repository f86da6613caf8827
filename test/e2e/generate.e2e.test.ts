import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import type { Stack } from "../../scripts/demo-stack.ts";
import { launchBrowser, newPage, SCREENSHOTS, startTestStack } from "./browser";

let stack: Stack;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  page.on("console", (message) => {
    // The library's bounce page preloads App Bridge from Shopify's CDN, which is unreachable here.
    if (message.type() === "error" && !message.location().url.startsWith("https://cdn.shopify.com/")) {
      consoleErrors.push(`${message.text()} (${message.location().url})`);
    }
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the walking skeleton in a browser", () => {
  test("a merchant picks a product and photos, generates a white background image, sees it beside the original and publishes it", async () => {
    // GIVEN the app opened from the (demo) admin
    await page.goto(`${stack.appUrl}/demo`);
    await page.getByRole("heading", { name: "Photo studio" }).waitFor();

    // WHEN they pick a product and generate with the defaults (white background, the first photos)
    await page.getByRole("link", { name: "New generation" }).first().click();
    await page.getByRole("button", { name: "Select product" }).click();
    const dialog = page.getByRole("dialog", { name: "Select product" });
    const firstOption = dialog.getByRole("option").first();
    await firstOption.waitFor();
    const productTitle = (await firstOption.textContent())?.trim() ?? "";
    await firstOption.click();
    await dialog.getByRole("button", { name: "Select" }).click();
    await page.getByText(productTitle, { exact: true }).first().waitFor();
    const checked = page.getByRole("checkbox", { checked: true });
    await expect.poll(() => checked.count()).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Generate" }).click();

    // THEN the job page shows progress and then the result, without a reload
    await page.waitForURL(/\/app\/jobs\//);
    await page.getByText("Done", { exact: true }).first().waitFor({ timeout: 180_000 });
    const result = page.getByTestId("output-image").first();
    await result.waitFor();
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await page
      .getByText(/Background pure white/)
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-done.png"), fullPage: true });

    // The stored output really is a pure white, square image
    const src = await result.getAttribute("src");
    const bytes = Buffer.from(await (await fetch(new URL(src!, stack.appUrl))).arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta.width).toBe(2048);
    expect(meta.height).toBe(2048);
    const corner = await sharp(bytes).extract({ left: 0, top: 0, width: 64, height: 64 }).raw().toBuffer();
    expect(corner.every((v) => v === 255)).toBe(true);

    // WHEN they publish it, THEN it is attached to the product's media in Shopify
    const shop = stack.emulator.state.shops.get(DEMO_SHOP)!;
    const product = [...shop.products.values()].find((p) => p.title === productTitle)!;
    const mediaBefore = [...product.mediaIds];
    await page.getByRole("button", { name: "Publish to product" }).first().click();
    await page.getByText("Published", { exact: true }).first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "job-published.png"), fullPage: true });
    expect(product.mediaIds.slice(0, mediaBefore.length)).toEqual(mediaBefore);
    expect(product.mediaIds).toHaveLength(mediaBefore.length + 1);

    expect(consoleErrors).toEqual([]);
  });
});

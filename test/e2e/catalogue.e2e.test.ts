import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Stack } from "../../scripts/demo-stack.ts";
import { embeddedUrl, launchBrowser, newPage, SCREENSHOTS, startTestStack, watchErrors } from "./browser";

// The home page's catalogue card in a real browser: coverage read with a bulk operation, the button that
// starts a batch for the products not yet covered, a collection chosen from the picker (its products are
// already in that batch, so nothing is added twice and the merchant is told), in both languages.

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let batchStartedAt = 0;

beforeAll(async () => {
  stack = await startTestStack({ demoProductCount: 12 });
  browser = await launchBrowser();
  page = await newPage(browser);
  errors = watchErrors(page);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the catalogue card on the home page", () => {
  test("shows coverage, starts a batch for the rest, and does not add a collection's products twice", async () => {
    // GIVEN a store of twelve products, none with a white-background main image from the app
    await page.goto(embeddedUrl(stack, "/app"));
    await page.getByRole("heading", { name: "Catalogue" }).waitFor();
    await page.getByText("0 of 12 products have a white-background main image").waitFor({ timeout: 120_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "home-catalogue-en.png"), fullPage: true });
    // AND, with nothing made yet, the empty state's illustration, served by the app itself, has loaded
    await page.getByText("Make your first product photos").waitFor();
    const illustration = page.locator('img[src="/empty-state.svg"]');
    await expect.poll(() => illustration.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBe(226);

    // WHEN the merchant starts a batch for the rest
    batchStartedAt = Date.now();
    await page.getByRole("button", { name: "Make white backgrounds for the other 12" }).click();

    // THEN one batch of twelve is queued and linked
    await page.getByText("Batch started: 12 products queued.").waitFor({ timeout: 120_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "home-catalogue-started-en.png"), fullPage: true });

    // WHEN a collection is chosen and started in the same mode while that batch still runs
    await page.getByLabel("Products", { exact: true }).selectOption("collection");
    const collection = page.getByLabel("Collection", { exact: true });
    await collection.waitFor();
    await collection.selectOption({ label: "Kitchen & Dining" });
    await page.getByRole("button", { name: "Start batch" }).click();

    // THEN nothing new is queued (every product of it is in the running batch), and the merchant is told
    await page.getByText("These products are already being processed; nothing new was added.").waitFor({ timeout: 120_000 });
    await page.getByText(/products were already being processed in an unfinished batch/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "home-catalogue-dedupe-en.png"), fullPage: true });

    // AND the batch link opens the batch page with its counts
    await page.getByRole("link", { name: "View batch" }).click();
    await page.getByRole("heading", { name: "Batch of 12 products" }).waitFor();
    expect(errors).toEqual([]);
  }, 600_000);

  test("reads in Traditional Chinese, with times in the merchant's own time zone", async () => {
    const zh = await newPage(browser, "zh-TW", "Asia/Taipei");
    const zhErrors = watchErrors(zh);
    await zh.goto(embeddedUrl(stack, "/app", "zh-TW"));
    await zh.getByRole("heading", { name: "商品目錄" }).waitFor();
    await zh.getByText("12 項商品中有 0 項的主圖為白色背景").waitFor({ timeout: 120_000 });
    await zh.getByRole("button", { name: "為其餘 12 項製作白色背景" }).waitFor();
    // The first test's batch is listed at the minute it was started, as Taipei's clock and the language write it (UTC+8).
    const format = new Intl.DateTimeFormat("zh-TW", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Taipei" });
    const minutes = [-1, 0, 1, 2].map((m) => format.format(new Date(batchStartedAt + m * 60_000)));
    const shown = new RegExp(minutes.map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
    await expect.poll(() => zh.locator("body").innerText()).toMatch(shown);
    expect(await zh.locator("body").innerText()).not.toContain("UTC");
    await zh.screenshot({ path: path.join(SCREENSHOTS, "home-catalogue-zh-TW.png"), fullPage: true });
    expect(zhErrors).toEqual([]);
  }, 300_000);
});

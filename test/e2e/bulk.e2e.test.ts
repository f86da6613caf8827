import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import type { Stack } from "../../scripts/demo-stack.ts";
import { accessibilityViolations, embeddedUrl, launchBrowser, newPage, SCREENSHOTS, startTestStack, watchErrors } from "./browser";

// The bulk action on the admin's product list: ten products, one batch, its page; then a batch whose
// rest is cancelled and retried. Ends with a screenshot of every page in English and Traditional Chinese.

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];
let batchUrl = "";

beforeAll(async () => {
  // The demo catalogue has nine products; twelve repeats three of them with numbered titles.
  stack = await startTestStack({ demoProductCount: 12 });
  browser = await launchBrowser();
  page = await newPage(browser);
  errors = watchErrors(page);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function selectProducts(count: number, from = 0) {
  await page.goto(`${stack.appUrl}/demo/admin`);
  const boxes = page.getByRole("checkbox", { name: /^Select (?!all)/ });
  await boxes.first().waitFor();
  for (let i = from; i < from + count; i++) await boxes.nth(i).check();
  await page.getByText(`${count} selected`).waitFor();
}

async function startBulk(count: number) {
  await page.getByRole("button", { name: "Generate photos", exact: true }).click();
  const modal = page.frameLocator("iframe[title='Generate photos']");
  await modal.getByText(`${count} products selected`).waitFor();
  await expect.poll(() => modal.getByRole("radio", { name: "White background" }).isChecked()).toBe(true);
  await modal.getByRole("button", { name: "Generate" }).click();
  const started = Date.now();
  await modal
    .getByRole("status")
    .filter({ hasText: `${count} jobs queued` })
    .waitFor();
  return { modal, started };
}

describe("the bulk action on ten products", () => {
  test("queues one job per product and the batch page shows all ten results", async () => {
    // GIVEN ten products selected in the admin's product list
    await selectProducts(10);

    // WHEN the merchant runs the app's bulk action with the shop's default (white background)
    const { modal, started } = await startBulk(10);
    await page.screenshot({ path: path.join(SCREENSHOTS, "bulk-action-queued-en.png") });
    await modal.getByRole("link", { name: "View progress" }).click();

    // THEN the batch page follows all ten until each has its result
    await page.waitForURL(/\/app\/batches\//);
    batchUrl = new URL(page.url()).pathname;
    await page.getByRole("heading", { name: "Batch of 10 products" }).waitFor();
    await page.getByText("10 done", { exact: true }).waitFor({ timeout: 300_000 });
    const seconds = (Date.now() - started) / 1000;
    await expect
      .poll(() =>
        page
          .getByRole("img", { name: /^Result for / })
          .evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length),
      )
      .toBe(10);
    await page.screenshot({ path: path.join(SCREENSHOTS, "batch-done-en.png"), fullPage: true });

    // Measured, not asserted: from Generate in the bulk action to all ten results on screen.
    const figure = { products: 10, provider: "local", workerConcurrency: 2, seconds: Number(seconds.toFixed(1)) };
    writeFileSync(path.join(SCREENSHOTS, "..", "bulk-10-timing.json"), `${JSON.stringify(figure, null, 2)}\n`);
    console.log(`[bulk] 10 products, local provider: ${figure.seconds} s from Generate to all ten results`);

    // One row per product (and the table's heading row)
    expect(await page.getByRole("row").count()).toBe(11);
  });
});

describe("cancelling the rest of a batch and retrying it", () => {
  test("the unfinished products are cancelled, and Retry failed brings them back to done", async () => {
    await selectProducts(4, 8);
    const { modal } = await startBulk(4);
    await modal.getByRole("link", { name: "View progress" }).click();
    await page.waitForURL(/\/app\/batches\//);

    // At most two are running (the worker's concurrency); the others are still queued when cancelled.
    await page.getByRole("button", { name: /^Cancel the 4 products/ }).click();
    await page.getByText(/^[1-4] cancelled$/).waitFor();
    await expect.poll(() => page.getByRole("button", { name: /^Cancel the/ }).count(), { timeout: 60_000 }).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "batch-cancelled-en.png"), fullPage: true });

    await page.getByRole("button", { name: /^Retry the \d failed or cancelled/ }).click();
    await page.getByText("4 done", { exact: true }).waitFor({ timeout: 180_000 });
    await expect.poll(() => page.getByRole("button", { name: /^Retry the/ }).count()).toBe(0);
  });
});

describe("every page, in English and Traditional Chinese", () => {
  let lifestyleJobUrl = "";

  test("a single lifestyle job in the rustic wood preset, for the home and job pages", async () => {
    const product = [...stack.emulator.state.shops.get(DEMO_SHOP)!.products.values()].find((p) => p.title === "Speckled Stoneware Mug")!;
    await page.goto(embeddedUrl(stack, `/app/new?productId=${encodeURIComponent(product.id)}`));
    // Polaris draws its own radio over the input. Checked before React has hydrated the page (late on a
    // busy machine), the choice is the browser's alone and the presets never appear: checked until they do.
    await expect
      .poll(
        async () => {
          await page.getByRole("radio", { name: "Lifestyle photography" }).check({ force: true });
          return page.getByTestId("preset-rustic-wood").isVisible();
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    await page.getByTestId("preset-rustic-wood").click();
    await page.getByRole("button", { name: "Generate" }).click();
    await page.waitForURL(/\/app\/jobs\//);
    lifestyleJobUrl = new URL(page.url()).pathname;
    await page.getByText("Done", { exact: true }).first().waitFor({ timeout: 180_000 });
    await expect.poll(() => page.getByTestId("output-image").count()).toBe(3);
  });

  for (const locale of ["en", "zh-TW"] as const) {
    test(`screenshots in ${locale}`, async () => {
      // Each page is also checked for WCAG 2.1 AA problems (labels, names, contrast) as it is shot.
      const shot = async (name: string) => {
        await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${locale}.png`), fullPage: true });
        expect(await accessibilityViolations(page), `${name} in ${locale}`).toEqual([]);
      };
      const home = locale === "en" ? "Photo studio" : "商品攝影棚";

      await page.goto(embeddedUrl(stack, "/app", locale));
      await page.getByRole("heading", { name: home }).waitFor();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(locale === "en" ? "en" : "zh-Hant-TW");
      await shot("home");

      const product = [...stack.emulator.state.shops.get(DEMO_SHOP)!.products.values()].find((p) => p.title === "Speckled Stoneware Mug")!;
      await page.goto(embeddedUrl(stack, `/app/new?productId=${encodeURIComponent(product.id)}`, locale));
      // Polaris draws its own radio over the input
      await page.getByRole("radio", { name: locale === "en" ? "Lifestyle photography" : "情境攝影" }).check({ force: true });
      await page.getByTestId("preset-rustic-wood").click();
      await page
        .locator("img[src^='/presets/']")
        .last()
        .evaluate((img: HTMLImageElement) => img.decode());
      await shot("new");

      await page.goto(embeddedUrl(stack, batchUrl, locale));
      await page.locator("table img").first().waitFor();
      await shot("batch");

      await page.goto(embeddedUrl(stack, lifestyleJobUrl, locale));
      await expect
        .poll(() =>
          page.getByTestId("output-image").evaluateAll((imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length),
        )
        .toBe(3);
      await page
        .getByRole("button", { name: locale === "en" ? "Regenerate…" : "重新生成…" })
        .first()
        .click();
      await shot("job");

      await page.goto(embeddedUrl(stack, "/app/settings", locale));
      await page
        .getByRole("button", { name: locale === "en" ? "Save" : "儲存" })
        .first()
        .waitFor();
      await shot("settings");

      await page.goto(`${stack.appUrl}/demo/admin?locale=${locale}`);
      await page.getByRole("checkbox").nth(1).check();
      await page
        .getByRole("button", { name: locale === "en" ? "Generate photos" : "生成商品照片", exact: true })
        .first()
        .click();
      await page.frameLocator("iframe").getByRole("radio").first().waitFor();
      await shot("admin-bulk-action");
    });
  }

  test("no errors in the browser console along the way", () => {
    expect(errors).toEqual([]);
  });
});

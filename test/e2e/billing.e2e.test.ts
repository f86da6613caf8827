import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import type { Stack } from "../../scripts/demo-stack.ts";
import { makeProductPhoto } from "../fakes/product-photo";
import { embeddedUrl, launchBrowser, newPage, SCREENSHOTS, startTestStack, watchErrors } from "./browser";

// The merchant's billing and automation journeys in Chromium against the demo stack: choose a plan,
// approve it on the emulator's stand-in for Shopify's approval page, come back, generate and see the
// usage; turn automation on, create a product with a photo in the emulator (which sends the signed
// webhooks to the app), and see the job on the home page. Screenshots go to docs/screenshots.

const DOCS = path.resolve(import.meta.dirname, "../../docs/screenshots");

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  stack = await startTestStack();
  stack.emulator.setWebhookUrl(stack.appUrl);
  browser = await launchBrowser();
  page = await newPage(browser);
  errors = watchErrors(page);
}, 600_000);

// A failed journey leaves the page it stopped on, for whoever reads the failure.
afterEach(async ({ task }) => {
  if (task.result?.state === "fail")
    await page?.screenshot({ path: path.join(tmpdir(), `billing-e2e-${task.name.slice(0, 20)}.png`) }).catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("billing and automation in the browser", () => {
  test("choose a plan, approve it on Shopify's page, generate, and see the usage", async () => {
    await page.goto(embeddedUrl(stack, "/app/billing"));
    await page.getByRole("heading", { name: "Your plan: Free" }).waitFor();
    await page.getByRole("button", { name: "Choose Starter" }).click();
    // The top-level page is now the emulator's approval page.
    await page.getByRole("button", { name: "Approve" }).waitFor({ timeout: 60_000 });
    expect(page.url()).toContain(`/${DEMO_SHOP}/admin/charges/`);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Your Starter plan is active.").waitFor({ timeout: 60_000 });
    await page.getByRole("heading", { name: "Your plan: Starter" }).waitFor();
    await page.getByText("Test charges (development store): nothing is billed.").waitFor();

    // Raising the cap goes through Shopify's page too, and the page says what Shopify now allows.
    await page.getByLabel("New monthly cap (images)").fill("200");
    await page.getByRole("button", { name: "Raise the cap" }).click();
    await page.getByRole("button", { name: "Approve" }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Your monthly cap is now 200 images.").waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "billing-cap-raised-en.png"), fullPage: true });

    // Generate with the demo's provider (the local one: free on every plan), then the usage counts it.
    const product = [...stack.emulator.state.shops.get(DEMO_SHOP)!.products.values()].find((p) => p.mediaIds.length > 0)!;
    const response = await page.evaluate(
      async ({ productId, mediaId }) => {
        const form = new FormData();
        form.set("productId", productId);
        form.set("mode", "white");
        form.set("options", JSON.stringify({ size: 1024 }));
        form.append("mediaIds", mediaId);
        const answer = await fetch("/app/new?_data=routes%2Fapp.new", { method: "POST", body: form });
        return answer.status;
      },
      { productId: product.id, mediaId: product.mediaIds[0] },
    );
    expect([200, 204, 302]).toContain(response);
    await expect
      .poll(
        async () => {
          // Each visit first passes the embedded auth's session-token page: count once the page itself is there.
          await page.goto(embeddedUrl(stack, "/app/billing"));
          await page.getByText(/Images by the local provider this month:/).waitFor();
          return page.getByText(/Images by the local provider this month: [1-9]/).count();
        },
        { timeout: 420_000, interval: 3000 },
      )
      .toBe(1);
    await page.screenshot({ path: path.join(DOCS, "billing-en.png"), fullPage: true });
    await page.goto(embeddedUrl(stack, "/app/billing", "zh-TW"));
    await page.getByRole("heading", { name: "您的方案：入門" }).waitFor();
    await page.screenshot({ path: path.join(DOCS, "billing-zh-TW.png"), fullPage: true });
    // The local provider's first image (the segmentation model loading) takes minutes on a loaded 2-core machine.
  }, 600_000);

  test("with automation on, a product created with a photo in the admin gets its job, listed on the home page", async () => {
    await page.goto(embeddedUrl(stack, "/app/settings"));
    await page.getByRole("checkbox", { name: /make its white-background image/ }).check();
    // Saved before the product is made: automation only takes photos made after it was turned on.
    const saved = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/app/settings");
    await page.getByRole("button", { name: "Save" }).first().click();
    expect((await saved).status()).toBe(200);

    const photo = await makeProductPhoto({ width: 1200, height: 1200, background: "#d9d2c5", scale: 0.6 });
    await stack.emulator.createProduct(DEMO_SHOP, { title: "Ceramic vase", photos: [{ filename: "vase.jpg", bytes: photo }] });
    await expect
      .poll(
        async () => {
          await stack.emulator.settleWebhooks();
          await page.goto(embeddedUrl(stack, "/app"));
          await page.getByRole("heading", { name: "What automation did" }).waitFor();
          return page.getByText("Ceramic vase").count();
        },
        { timeout: 180_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: path.join(DOCS, "automation-en.png"), fullPage: true });
    await page.goto(embeddedUrl(stack, "/app", "zh-TW"));
    await page.getByRole("heading", { name: "自動化紀錄" }).waitFor();
    await page.screenshot({ path: path.join(DOCS, "automation-zh-TW.png"), fullPage: true });
    await page.goto(embeddedUrl(stack, "/app/settings", "zh-TW"));
    await page.getByText("建立商品或商品新增照片時，自動製作白底圖").waitFor();
    await page.screenshot({ path: path.join(DOCS, "automation-setting-zh-TW.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);
});

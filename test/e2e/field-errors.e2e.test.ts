import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Stack } from "../../scripts/demo-stack.ts";
import { accessibilityViolations, embeddedUrl, launchBrowser, newPage, SCREENSHOTS, startTestStack, watchErrors } from "./browser";

// The server answers what is wrong with a form as message codes; the page says it in the merchant's
// language, under the field, the same way on every form.

let stack: Stack;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
  // A browser set to English: the language is the admin's (?locale=), not the browser's.
  page = await newPage(browser, "en-US");
  errors = watchErrors(page);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("a refused form in Traditional Chinese", () => {
  test("GIVEN a zh-TW merchant WHEN the alt text names a placeholder nothing fills THEN the server's refusal is in Traditional Chinese under the field", async () => {
    await page.goto(embeddedUrl(stack, "/app/settings", "zh-TW"));
    // Typed once the page is live, so that Remix submits the form (not the browser before hydration).
    await page.waitForLoadState("networkidle");
    const altText = page.getByRole("textbox", { name: "替代文字" });
    await altText.fill("{title} {price}");
    await page.getByRole("button", { name: "儲存" }).first().click();

    // The server's message (the page's own hint while typing says "不會被替換").
    await page.getByText("{price} 無法替換：請使用 {title} 與 {mode}。").waitFor({ timeout: 120_000 });
    await page.getByText("設定未儲存，請檢查下方標示的欄位。").waitFor();
    // Polaris ties the message to its field.
    await expect.poll(() => altText.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByText("cannot be filled in").count()).toBe(0);

    await altText.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "settings-field-error-zh-TW.png"), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    // The refusal itself is a 400, which Chromium logs; nothing else may be.
    expect(errors.filter((error) => !/status of 400 .*_data=routes%2Fapp\.settings/.test(error))).toEqual([]);
  });
});

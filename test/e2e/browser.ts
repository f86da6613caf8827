import { createRequire } from "node:module";
import { createServer } from "node:net";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startStack, type Stack } from "../../scripts/demo-stack.ts";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import { testStorageKind } from "../app";
import { startS3Server } from "../s3-server";

export const SCREENSHOTS = path.resolve(import.meta.dirname, "../../test-results/screenshots");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The demo stack for a browser test; with TEST_STORAGE=s3 its files are on a loopback S3 server. */
export async function startTestStack(
  options: { mediaProcessingMs?: number; demoProductCount?: number; output?: (name: string, text: string) => void } = {},
): Promise<Stack> {
  const s3 = testStorageKind() === "s3" ? await startS3Server() : undefined;
  const stack = await startStack({
    port: await freePort(),
    storageDir: mkdtempSync(path.join(tmpdir(), "studio-e2e-")),
    storageEnv: s3?.env,
    queuePrefix: `e2e-${process.pid}-${Date.now()}`,
    emulator: { mediaProcessingMs: options.mediaProcessingMs ?? 200, demoProductCount: options.demoProductCount },
    quiet: true,
    output: options.output,
  }).catch(async (error: unknown) => {
    await s3?.stop();
    throw error;
  });
  if (!s3) return stack;
  return {
    ...stack,
    async stop() {
      await stack.stop();
      await s3.stop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

// Headless Chromium announces itself as "HeadlessChrome", and the Shopify library answers bots with
// 410 Gone; a merchant's browser says "Chrome".
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

export async function newPage(browser: Browser, locale = "en-US", timezoneId?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: USER_AGENT, locale, timezoneId });
  return context.newPage();
}

/** An app page as the admin opens it: embedded, with the shop, host and the user's locale. */
export function embeddedUrl(stack: Stack, pathname: string, locale = "en"): string {
  const url = new URL(pathname, stack.appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", DEMO_SHOP);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${DEMO_SHOP.replace(".myshopify.com", "")}`).toString("base64url"));
  url.searchParams.set("locale", locale);
  return url.href;
}

/** Collects page errors and console errors, except the library's preload of App Bridge from Shopify's CDN. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.location().url.startsWith("https://cdn.shopify.com/")) {
      errors.push(`${message.text()} (${message.location().url})`);
    }
  });
  return errors;
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * Serious and critical WCAG 2.1 A/AA violations on the page, by axe-core: missing labels and names,
 * contrast, ARIA misuse. The demo's stand-in for the admin's nav bar is not the app's and is left out.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(
      { exclude: [["ui-nav-menu"]] },
      { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } },
    );
    return result.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map(
        (violation) =>
          `${violation.id}: ${violation.help} (${violation.nodes
            .slice(0, 3)
            .map((node) => node.target.join(" "))
            .join(", ")})`,
      );
  });
}

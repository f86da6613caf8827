import { createServer } from "node:net";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startStack, type Stack } from "../../scripts/demo-stack.ts";

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

export async function startTestStack(options: { mediaProcessingMs?: number } = {}): Promise<Stack> {
  return startStack({
    port: await freePort(),
    storageDir: mkdtempSync(path.join(tmpdir(), "studio-e2e-")),
    queuePrefix: `e2e-${process.pid}-${Date.now()}`,
    emulator: { mediaProcessingMs: options.mediaProcessingMs ?? 200 },
    quiet: true,
  });
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
const USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

export async function newPage(browser: Browser, locale = "en-US"): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: USER_AGENT, locale });
  return context.newPage();
}

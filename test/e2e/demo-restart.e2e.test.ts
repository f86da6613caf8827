import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { startStack, type Stack } from "../../scripts/demo-stack.ts";
import { DEMO_SHOP } from "../../scripts/emulator/index.ts";
import { freePort } from "./browser";

// `npm run demo`, stopped and run again on the same storage: the first run's stored token means
// nothing to the fresh emulator, and the product list must work anyway. Then Shopify (the emulator)
// revokes the token the second run got, during a page load: the page recovers by token exchange.

const storageDir = mkdtempSync(path.join(tmpdir(), "studio-demo-restart-"));
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
let stack: Stack | undefined;

async function run(): Promise<Stack> {
  return startStack({ port: await freePort(), storageDir, queuePrefix: `e2e-restart-${process.pid}-${Date.now()}`, quiet: true });
}

/** The product list, fetched as the demo's resource picker does: a session token from the demo's route. */
async function productList(current: Stack) {
  const session = await fetch(`${current.appUrl}/demo/session-token?shop=${DEMO_SHOP}`, { headers: { "user-agent": USER_AGENT } });
  const { token } = (await session.json()) as { token: string };
  const response = await fetch(`${current.appUrl}/demo/products`, {
    headers: { authorization: `Bearer ${token}`, "user-agent": USER_AGENT },
  });
  return { status: response.status, products: response.ok ? ((await response.json()) as { products: unknown[] }).products : [] };
}

afterAll(async () => {
  await stack?.stop();
  rmSync(storageDir, { recursive: true, force: true });
});

describe("the demo, run twice in a row", () => {
  test("the second run's product list works, and so does the page after the emulator revokes its token", async () => {
    stack = await run();
    const first = await productList(stack);
    expect(first.status).toBe(200);
    expect(first.products.length).toBeGreaterThan(0);
    await stack.stop();

    stack = await run();
    const second = await productList(stack);
    expect(second.status).toBe(200);
    expect(second.products).toHaveLength(first.products.length);

    for (const record of stack.emulator.state.tokens.values()) if (record.shop === DEMO_SHOP) record.revoked = true;
    const refused = () => stack!.emulator.state.log.filter((entry) => entry.shop === DEMO_SHOP && entry.status === 401).length;
    const before = refused();
    const third = await productList(stack);
    expect(third.status).toBe(200);
    expect(third.products).toHaveLength(first.products.length);
    expect(refused()).toBe(before + 1);
  });
});

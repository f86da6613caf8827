import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { DEMO_SHOP } from "../emulator/index.ts";
import { freePort, sleep } from "./util.ts";

const root = path.resolve(import.meta.dirname, "../..");
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

/**
 * `npm run demo`'s own code path (scripts/run.sh demo → scripts/demo.ts), started and stopped from the
 * harness as a person would: it runs until Ctrl+C (SIGINT to its process group).
 */
export interface DemoRun {
  appUrl: string;
  output: string[];
  /**
   * The demo admin's product list, fetched as its page does through the demo's App Bridge stand-in: a
   * demo session token, then /demo/products, retried once with a new token when the app asks for it.
   */
  loadProductList(): Promise<{ status: number; products: number; text: string }>;
  stop(): Promise<void>;
}

export async function startDemo(): Promise<DemoRun> {
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn("bash", ["scripts/run.sh", "demo"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), EMULATOR_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr])
    stream?.on("data", (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean)));
  const appUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode) return;
    process.kill(-child.pid!, "SIGINT");
    const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!done) {
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    }
  };
  const deadline = Date.now() + 120_000;
  while (!output.some((line) => line.includes("Ready in"))) {
    if (child.exitCode !== null) throw new Error(`npm run demo exited with ${child.exitCode}: ${output.slice(-5).join(" | ")}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm run demo was not ready within 120 s: ${output.slice(-5).join(" | ")}`);
    }
    await sleep(200);
  }
  return {
    appUrl,
    output,
    async loadProductList() {
      const load = async () => {
        const tokenAnswer = await fetch(`${appUrl}/demo/session-token?shop=${DEMO_SHOP}`, { headers: { "user-agent": USER_AGENT } });
        const { token } = (await tokenAnswer.json()) as { token: string };
        return fetch(`${appUrl}/demo/products`, { headers: { authorization: `Bearer ${token}`, "user-agent": USER_AGENT } });
      };
      let response = await load();
      if (response.status === 401 && response.headers.get("x-shopify-retry-invalid-session-request")) {
        await response.body?.cancel();
        response = await load();
      }
      const text = await response.text();
      let products = 0;
      try {
        products = ((JSON.parse(text) as { products?: unknown[] }).products ?? []).length;
      } catch {
        // an error page
      }
      return { status: response.status, products, text: text.slice(0, 200) };
    },
    stop,
  };
}

// `npm run demo`: the app's main job on this machine with no Shopify account and no API key. Starts the
// demo stack (scripts/demo-stack.ts) and prints the URL to open.
import path from "node:path";
import { startStack } from "./demo-stack.ts";

function log(message: string) {
  console.log(`\x1b[1m[demo]\x1b[0m ${message}`);
}

async function main() {
  const started = Date.now();
  // Someone watching a terminal reads the web's and worker's lines one by one; deployments keep JSON.
  process.env.LOG_FORMAT ??= "pretty";
  const root = path.resolve(import.meta.dirname, "..");
  const stack = await startStack({
    port: Number(process.env.PORT ?? 3000),
    emulatorPort: Number(process.env.EMULATOR_PORT ?? 0),
    storageDir: path.join(root, "storage", "demo"),
    queuePrefix: "studio-demo",
    log,
  });
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    log("Stopping…");
    stack.stop().then(
      () => process.exit(code),
      (error: unknown) => {
        console.error("[demo] stopping failed", error);
        process.exit(1);
      },
    );
  };
  stack.onExit((name, code) => {
    console.error(`[demo] the ${name} process exited (${code}); stopping the demo`);
    stop(1);
  });
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  log(`Ready in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
  log(`Open ${stack.appUrl}/demo   (繁體中文: ${stack.appUrl}/demo?locale=zh-TW)`);
  log(`The admin's product list with the app's product and bulk actions: ${stack.appUrl}/demo/admin`);
  log("Press Ctrl+C to stop.");
}

main().catch((error) => {
  console.error(`[demo] ${(error as Error).message}`);
  process.exit(1);
});

import { parseArgs } from "node:util";
import { DEMO_SHOP, startEmulator } from "./index";

/**
 * `npx tsx scripts/emulator/main.ts --port 4010`: runs the Admin API emulator until SIGINT/SIGTERM.
 * `--demo-products 5000` fills the demo shop with that many products (the catalogue repeated).
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    "api-key": { type: "string" },
    "api-secret": { type: "string" },
    "media-processing-ms": { type: "string" },
    "restore-rate": { type: "string" },
    "bucket-size": { type: "string" },
    "demo-products": { type: "string" },
  },
});

const numberOf = (value: string | undefined) => (value === undefined ? undefined : Number(value));

const emulator = await startEmulator({
  port: Number(values.port),
  apiKey: values["api-key"] ?? process.env.SHOPIFY_API_KEY,
  apiSecret: values["api-secret"] ?? process.env.SHOPIFY_API_SECRET,
  mediaProcessingMs: numberOf(values["media-processing-ms"]),
  restoreRate: numberOf(values["restore-rate"]),
  bucketSize: numberOf(values["bucket-size"]),
  demoProductCount: numberOf(values["demo-products"]),
});

console.log(emulator.origin);
console.log(`demo shop ${DEMO_SHOP}, offline token ${emulator.issueToken(DEMO_SHOP)}`);

const stop = () => {
  emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error("[emulator] closing failed", error);
      process.exit(1);
    },
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

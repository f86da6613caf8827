/**
 * Reading a whole catalogue: a bulk operation streamed (the app's way) beside nodes(ids:) in chunks, and
 * the stream's memory beside reading the same file whole, all in one run against the Admin API emulator
 * (its own process, so that only the reader's memory is measured here).
 *
 *   npx tsx --expose-gc scripts/bench-bulk-read.ts [--products 5000] [--restore 1000]
 *
 * --restore is the emulator's points restored per second: 100 is Shopify's Standard plan, 1000 Plus.
 * The nodes(ids:) baseline is bound by it; the bulk operation hardly spends points.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createAdminApi } from "../app/shopify/admin-api.server.ts";
import {
  readCatalog,
  readProductsByIds,
  startBulkQuery,
  catalogQuery,
  waitForBulkOperation,
  readBulkProducts,
  type BulkReadStats,
} from "../app/shopify/bulk-read.server.ts";

const { values } = parseArgs({ options: { products: { type: "string", default: "5000" }, restore: { type: "string", default: "1000" } } });
const productCount = Number(values.products);

const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "scripts/emulator/main.ts",
    "--port",
    "0",
    "--demo-products",
    String(productCount),
    "--restore-rate",
    values.restore,
    "--bucket-size",
    String(Number(values.restore) * 20),
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const origin = (await lines.next()).value as string;
const token = /offline token (\S+)/.exec((await lines.next()).value as string)![1];
process.env.SHOPIFY_ADMIN_EMULATOR_URL = origin;
const shop = "photo-studio-demo.myshopify.com";

/** Counts GraphQL calls, their requested points, and downloads, as they leave this process. */
function countingApi() {
  const counts = { calls: 0, points: 0, actualPoints: 0, downloads: 0 };
  const fetchCounting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if ((input instanceof Request ? input.url : String(input)).endsWith("/graphql.json")) {
      counts.calls += 1;
      const body = (await response.clone().json()) as { extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number } } };
      counts.points += body.extensions?.cost?.requestedQueryCost ?? 0;
      counts.actualPoints += body.extensions?.cost?.actualQueryCost ?? 0;
    } else counts.downloads += 1;
    return response;
  };
  return { api: createAdminApi({ shop, accessToken: token, fetch: fetchCounting, log: { warn: () => {} } }), counts };
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Peak heap held above where it started, sampled while `work` runs (collected first with --expose-gc). */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakMb: number }> {
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 10);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { result, ms, peakMb: (peak - base) / 1e6 };
}

const bulk = countingApi();
const stats: BulkReadStats = { bytes: 0, lines: 0, largestBufferedChars: 0 };
const ids: string[] = [];
const streamed = await measure(async () => {
  for await (const product of readCatalog(bulk.api, { kind: "all" }, { stats })) ids.push(product.id);
});

// The same completed operation's file, read whole and then parsed, as a memory baseline.
const operation = await waitForBulkOperation(bulk.api, await startBulkQuery(bulk.api, catalogQuery({ kind: "all" })));
const whole = await measure(async () => {
  const text = await (await fetch(operation.url!)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line)).length;
});
const streamedAgain = await measure(async () => {
  let count = 0;
  for await (const _ of readBulkProducts(bulk.api, operation)) count += 1;
  return count;
});

const nodes = countingApi();
const chunked = await measure(async () => {
  let count = 0;
  for await (const chunk of readProductsByIds(nodes.api, ids)) count += chunk.products.length;
  return count;
});

child.kill("SIGTERM");

const row = (name: string, products: number, calls: number, points: number, ms: number, peakMb: number) =>
  `| ${name} | ${products} | ${calls} | ${points} | ${(ms / 1000).toFixed(1)} | ${peakMb.toFixed(1)} |`;
console.log(
  `Catalogue of ${productCount} products; emulator restores ${values.restore} points/s (Standard 100, Plus 1000); machine shared with other work.\n`,
);
console.log("| read | products | Admin API calls | requested points | seconds | peak heap held above start, MB |");
console.log("| --- | --- | --- | --- | --- | --- |");
console.log(
  row("bulk operation, streamed (start, polls, download)", ids.length, bulk.counts.calls, bulk.counts.points, streamed.ms, streamed.peakMb),
);
console.log(row("nodes(ids:) in chunks (baseline)", chunked.result, nodes.counts.calls, nodes.counts.points, chunked.ms, chunked.peakMb));
console.log(
  `\nJSONL: ${stats.bytes} bytes, ${stats.lines} lines; the stream held at most ${stats.largestBufferedChars} characters unparsed.`,
);
console.log(
  `Same file, streamed again: ${streamedAgain.peakMb.toFixed(1)} MB peak, ${(streamedAgain.ms / 1000).toFixed(2)} s; read whole then parsed: ${whole.peakMb.toFixed(1)} MB peak (${(whole.peakMb / Math.max(streamedAgain.peakMb, 0.1)).toFixed(1)}×), ${(whole.ms / 1000).toFixed(2)} s.`,
);
console.log(
  `Bulk calls ÷ nodes(ids:) calls: ${(bulk.counts.calls / nodes.counts.calls).toFixed(2)}; points: ${(bulk.counts.points / nodes.counts.points).toFixed(4)}; time: ${(streamed.ms / chunked.ms).toFixed(2)}.`,
);
console.log(
  `Points actually spent: bulk ${bulk.counts.actualPoints}, nodes(ids:) ${nodes.counts.actualPoints}; at Standard's 100 points/s a full 2,000-point bucket leaves the nodes(ids:) read waiting about ${Math.max(0, Math.round((nodes.counts.actualPoints - 2000) / 100))} s.`,
);
if (!gc) console.log("(Without --expose-gc the memory figures include garbage not yet collected.)");

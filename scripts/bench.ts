// Times the local provider's white-background job on a 12-megapixel photo: the engine before issue 12
// (the library's removeBackground path, from git) and the current one, side by side in the same run,
// each in its own process so its memory is its own: npx tsx scripts/bench.ts [RUNS]
// Rows: engine time per photo (generate(), after one warm-up job), peak RSS with one job at a time, and
// peak RSS with WORKER_CONCURRENCY=2 (two jobs at once in one process, as the worker runs them).
// The machine may be shared: the ratio of the two paths, measured alternately, is the figure to quote.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { makeProductPhoto } from "../test/fakes/product-photo";

type Engine = "baseline" | "new";
interface ChildResult {
  ms: number[];
  peakRssMiB: number;
}

const [flag, engineArg, photoArg, runsArg] = process.argv.slice(2);
if (flag === "--child") {
  await runChild(engineArg as Engine, photoArg!, Number(runsArg));
} else {
  await runParent(Number(flag ?? 3));
}

async function runChild(engine: Engine, photoPath: string, runs: number): Promise<void> {
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 1);
  const photo = readFileSync(photoPath);
  const { whiteOptionsSchema } = await import("../app/studio/options");
  const generate = engine === "new" ? (await import("../app/studio/generate")).generate : (await (await import("./baseline")).loadBaselineEngine()).generate;
  const job = () => generate({ mode: "white", options: whiteOptionsSchema.parse({}), photos: [photo], product: { title: "Jam" }, provider: "local" }, {});
  await job();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, job));
    // With two jobs at once, the time per photo is the pair's time over two.
    ms.push((performance.now() - started) / concurrency);
  }
  const result: ChildResult = { ms, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function child(engine: Engine, photoPath: string, runs: number, concurrency: number): ChildResult {
  const output = execFileSync(process.execPath, [...process.execArgv, import.meta.filename, "--child", engine, photoPath, String(runs)], {
    env: { ...process.env, WORKER_CONCURRENCY: String(concurrency) },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output.trim().split("\n").at(-1)!) as ChildResult;
}

async function runParent(runs: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "studio-bench-"));
  const photoPath = path.join(dir, "photo-12mp.jpg");
  // 4000x3000 = 12 MP, encoded like a phone photo.
  writeFileSync(photoPath, await sharp(await makeProductPhoto({ width: 4000, height: 3000 })).jpeg({ quality: 90 }).toBuffer());
  const loadBefore = os.loadavg()[0]!;
  const times: Record<Engine, number[]> = { baseline: [], new: [] };
  const rss: Record<Engine, number[]> = { baseline: [], new: [] };
  const rss2: Record<Engine, number[]> = { baseline: [], new: [] };
  const pairRatios: number[] = [];
  // Alternated, so a change in the machine's load hits both paths alike.
  for (let round = 0; round < 2; round++) {
    const before = child("baseline", photoPath, runs, 1);
    const after = child("new", photoPath, runs, 1);
    times.baseline.push(...before.ms);
    times.new.push(...after.ms);
    rss.baseline.push(before.peakRssMiB);
    rss.new.push(after.peakRssMiB);
    pairRatios.push(median(before.ms) / median(after.ms));
  }
  for (const engine of ["baseline", "new"] as const) rss2[engine].push(child(engine, photoPath, 1, 2).peakRssMiB);
  const loadAfter = os.loadavg()[0]!;

  const s = (ms: number[]) => `${(median(ms) / 1000).toFixed(2)} s (min ${(Math.min(...ms) / 1000).toFixed(2)})`;
  console.log(`White-background job on a 12 MP photo (4000x3000 JPEG) → 2048x2048, ${os.cpus().length} CPUs, ${runs} runs x 2 rounds per path after a warm-up`);
  console.log(`load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (other work on this machine slows both paths alike)\n`);
  console.log("".padEnd(40) + "before (library path)".padStart(24) + "now (onnxruntime direct)".padStart(28) + "ratio".padStart(10));
  console.log("engine time per photo".padEnd(40) + s(times.baseline).padStart(24) + s(times.new).padStart(28) + `${(median(times.baseline) / median(times.new)).toFixed(2)}x`.padStart(10));
  console.log("peak RSS, one job at a time".padEnd(40) + `${Math.max(...rss.baseline)} MiB`.padStart(24) + `${Math.max(...rss.new)} MiB`.padStart(28) + `${(Math.max(...rss.baseline) / Math.max(...rss.new)).toFixed(2)}x`.padStart(10));
  console.log("peak RSS, WORKER_CONCURRENCY=2".padEnd(40) + `${rss2.baseline[0]} MiB`.padStart(24) + `${rss2.new[0]} MiB`.padStart(28) + `${(rss2.baseline[0]! / rss2.new[0]!).toFixed(2)}x`.padStart(10));
  console.log(`\nspeed-up per round (median of ${runs} each): ${pairRatios.map((r) => `${r.toFixed(2)}x`).join(", ")}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

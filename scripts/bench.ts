// Times the local provider's white-background job on a 12-megapixel photo: the engine before issue 12
// (the library's removeBackground path, from git) and the current one, side by side in the same run,
// each in its own process so its memory is its own: npx tsx scripts/bench.ts [RUNS]
// Rows: engine time per photo (generate(), after one warm-up job), alone and two jobs at once; peak RSS
// with one job at a time, and with WORKER_CONCURRENCY=2 (two jobs at once in one process, as the
// worker runs them, with its allocator settings; the peak includes loading the model); and the
// process's CPU time per photo (all threads), which a shared machine's load sways less than wall time.
// The machine may be shared: the ratio of the two paths, measured alternately, is the figure to quote.
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { makeProductPhoto } from "../test/fakes/product-photo";
import { WORKER_ENV } from "./stack/launch";

type Engine = "baseline" | "new";
interface Done {
  ms: number;
  /** Process CPU time (every thread, user + system) per photo: steadier than wall time on a shared machine. */
  cpuMs: number;
  peakRssMiB: number;
}

const [flag, engineArg, photoArg] = process.argv.slice(2);
if (flag === "--child") {
  await runChild(engineArg as Engine, photoArg);
} else {
  await runParent(Number(flag ?? 3));
}

// A child loads one engine, runs one warm-up job, then one measured round per "run" message: one job,
// or WORKER_CONCURRENCY jobs at once; it answers with the round's time per photo and its peak RSS so far.
async function runChild(engine: Engine, photoPath: string): Promise<void> {
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 1);
  const photo = readFileSync(photoPath);
  const { whiteOptionsSchema } = await import("../app/studio/options");
  const generate =
    engine === "new"
      ? (await import("../app/studio/generate")).generate
      : (await (await import("./baseline")).loadBaselineEngine()).generate;
  const job = () =>
    generate({ mode: "white", options: whiteOptionsSchema.parse({}), photos: [photo], product: { title: "Jam" }, provider: "local" }, {});
  await job();
  const run = async () => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, job));
    const used = process.cpuUsage(cpu);
    const done: Done = {
      ms: (performance.now() - started) / concurrency,
      cpuMs: (used.user + used.system) / 1000 / concurrency,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.send!(done);
  };
  process.on("message", (message) => {
    if (message !== "run") return process.exit(0);
    run().catch((error: unknown) => {
      console.error("[bench] the run failed", error);
      process.exit(1);
    });
  });
  process.send!("ready");
}

interface Child {
  run: () => Promise<Done>;
  stop: () => void;
}

async function startChild(engine: Engine, photoPath: string, concurrency: number): Promise<Child> {
  const child = fork(import.meta.filename, ["--child", engine, photoPath], {
    execArgv: process.execArgv,
    // Both run as the worker runs them, with its allocator settings.
    env: { ...process.env, ...WORKER_ENV, WORKER_CONCURRENCY: String(concurrency) },
  });
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`${engine} bench process exited (${code})`)));
    });
  await next();
  return {
    run: () => {
      child.send("run");
      return next() as Promise<Done>;
    },
    stop: () => child.send("stop"),
  };
}

async function runParent(runs: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "studio-bench-"));
  const photoPath = path.join(dir, "photo-12mp.jpg");
  // 4000x3000 = 12 MP, encoded like a phone photo.
  writeFileSync(
    photoPath,
    await sharp(await makeProductPhoto({ width: 4000, height: 3000 }))
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  // The fp32 model file is written once per machine (segment.ts), by the first process that needs it:
  // written here, so that no child's peak RSS includes that one-time rewrite.
  await (await import("../app/studio/segment")).widenedModelFile();
  const loadBefore = os.loadavg()[0];
  const result: Record<Engine, { ms: number[]; cpu: number[]; rss: number; rss2: number; ms2: number[]; cpu2: number[] }> = {
    baseline: { ms: [], cpu: [], rss: 0, rss2: 0, ms2: [], cpu2: [] },
    new: { ms: [], cpu: [], rss: 0, rss2: 0, ms2: [], cpu2: [] },
  };
  const pairs: number[] = [];
  const cpuPairs: number[] = [];
  for (const concurrency of [1, 2]) {
    const children = {
      baseline: await startChild("baseline", photoPath, concurrency),
      new: await startChild("new", photoPath, concurrency),
    };
    // Job by job, alternately: a change in the machine's load hits both paths alike.
    for (let i = 0; i < runs; i++) {
      const before = await children.baseline.run();
      const after = await children.new.run();
      for (const [engine, done] of [
        ["baseline", before],
        ["new", after],
      ] as const) {
        if (concurrency === 1) {
          result[engine].ms.push(done.ms);
          result[engine].cpu.push(done.cpuMs);
          result[engine].rss = done.peakRssMiB;
        } else {
          result[engine].ms2.push(done.ms);
          result[engine].cpu2.push(done.cpuMs);
          result[engine].rss2 = done.peakRssMiB;
        }
      }
      if (concurrency === 1) {
        pairs.push(before.ms / after.ms);
        cpuPairs.push(before.cpuMs / after.cpuMs);
      }
    }
    children.baseline.stop();
    children.new.stop();
  }
  const loadAfter = os.loadavg()[0];

  const s = (ms: number[]) => `${(median(ms) / 1000).toFixed(2)} s (min ${(Math.min(...ms) / 1000).toFixed(2)})`;
  const row = (label: string, a: string, b: string, ratio: number) =>
    console.log(label.padEnd(44) + a.padStart(24) + b.padStart(28) + `${ratio.toFixed(2)}x`.padStart(10));
  console.log(
    `White-background job on a 12 MP photo (4000x3000 JPEG) → 2048x2048, ${os.cpus().length} CPUs, ${runs} jobs per path after a warm-up, alternated job by job`,
  );
  console.log(
    `load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (other work on this machine slows both paths alike)\n`,
  );
  console.log("".padEnd(44) + "before (library path)".padStart(24) + "now (onnxruntime direct)".padStart(28) + "ratio".padStart(10));
  row("engine time per photo", s(result.baseline.ms), s(result.new.ms), median(result.baseline.ms) / median(result.new.ms));
  row(
    "engine time per photo, 2 jobs at once",
    s(result.baseline.ms2),
    s(result.new.ms2),
    median(result.baseline.ms2) / median(result.new.ms2),
  );
  row("CPU time per photo (all threads)", s(result.baseline.cpu), s(result.new.cpu), median(result.baseline.cpu) / median(result.new.cpu));
  row(
    "CPU time per photo, 2 jobs at once",
    s(result.baseline.cpu2),
    s(result.new.cpu2),
    median(result.baseline.cpu2) / median(result.new.cpu2),
  );
  row("peak RSS, one job at a time", `${result.baseline.rss} MiB`, `${result.new.rss} MiB`, result.baseline.rss / result.new.rss);
  row("peak RSS, WORKER_CONCURRENCY=2", `${result.baseline.rss2} MiB`, `${result.new.rss2} MiB`, result.baseline.rss2 / result.new.rss2);
  const list = (ratios: number[]) => `${ratios.map((r) => `${r.toFixed(2)}x`).join(", ")} (median ${median(ratios).toFixed(2)}x)`;
  console.log(`\nspeed-up job by job: ${list(pairs)}; in CPU time: ${list(cpuPairs)}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

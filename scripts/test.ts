// `npm test`: the whole suite, as CI runs it. Unit and integration tests on SQLite, the tests that reach
// the database through the app again on PostgreSQL, those that reach storage again on S3, the
// browser tests in Chromium, the app as several web and worker processes, then the chaos scenarios (scripts/chaos), each counted as a test. Ends with
// one plain summary line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

interface Run {
  name: string;
  /** The command after npx; it writes its report to the file it is given. */
  command: (report: string) => string[];
  env?: Record<string, string>;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const vitest =
  (...args: string[]) =>
  (report: string) => ["vitest", "run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`];

const extra = process.argv.slice(2);
/** Path prefixes of the engine's tests (vitest filters), which run one file at a time. */
const ENGINE_TESTS = ["app/studio", "scripts/studio"];
const runs: Run[] = [
  // The engine's tests compute (the segmentation model, image encoding): one file at a time. The rest
  // mostly wait on Redis, a database, the emulator or worker processes: two files at a time, each with
  // its own database, queue prefix and emulator (vitest's default on two cores is one).
  {
    name: "the engine (SQLite)",
    command: vitest(...ENGINE_TESTS, "--maxWorkers=1", "--minWorkers=1", "--passWithNoTests", ...extra),
  },
  {
    name: "unit and integration (SQLite)",
    command: vitest(
      ...ENGINE_TESTS.flatMap((dir) => ["--exclude", `${dir}*/**`, "--exclude", `${dir}*`]),
      "--maxWorkers=2",
      "--minWorkers=1",
      ...extra,
    ),
  },
  // The data layer's own tests already run on both databases; these reach the database through the app.
  {
    name: "the app on PostgreSQL",
    command: vitest(
      "test/routes",
      "test/worker.test.ts",
      "test/worker/attempts.test.ts",
      "test/worker/reconcile.test.ts",
      "test/extensions.test.ts",
      "--maxWorkers=2",
      "--minWorkers=1",
      ...extra,
    ),
    env: { TEST_DATABASE: "postgresql" },
  },
  // The same storage, files-route and erase tests again with object storage: a loopback S3 server per file.
  {
    name: "the app on S3 storage",
    command: vitest(
      "test/storage/storage.test.ts",
      "test/routes/files.test.ts",
      "test/routes/webhooks.test.ts",
      "test/routes/uploads.test.ts",
      "test/worker.test.ts",
      "--maxWorkers=2",
      "--minWorkers=1",
      ...extra,
    ),
    env: { TEST_STORAGE: "s3" },
  },
  { name: "browser (Chromium)", command: vitest("--config", "test/e2e/vitest.config.ts", ...extra) },
  {
    name: "browser on S3 storage",
    command: vitest("--config", "test/e2e/vitest.config.ts", "test/e2e/stable-urls.e2e.test.ts", ...extra),
    env: { TEST_STORAGE: "s3" },
  },
  // Issue 11's proof of a stateless web: 2 web processes and 3 workers, each in a folder of its own, on
  // PostgreSQL, loopback S3 and one Redis; 50 products, a worker SIGKILLed, published from the other web.
  { name: "many machines (2 web, 3 workers)", command: vitest("--config", "test/multi/vitest.config.ts", ...extra) },
  {
    name: "chaos (issue 9's scenarios, SQLite then PostgreSQL)",
    command: (report) => ["tsx", "scripts/chaos/main.ts", `--json=${report}`],
  },
];

function readCounts(report: string): Counts {
  const parsed = JSON.parse(readFileSync(report, "utf8")) as
    | { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }
    | { scenarios: number; passed: number };
  if ("scenarios" in parsed) return { passed: parsed.passed, failed: parsed.scenarios - parsed.passed, skipped: 0 };
  return { passed: parsed.numPassedTests, failed: parsed.numFailedTests, skipped: parsed.numPendingTests + parsed.numTodoTests };
}

const dir = mkdtempSync(path.join(tmpdir(), "studio-test-"));
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
const started = Date.now();

for (const [index, run] of runs.entries()) {
  const output = path.join(dir, `${index}.json`);
  console.log(`\n\x1b[1m=== ${run.name} ===\x1b[0m`);
  const result = spawnSync("npx", run.command(output), {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "test", ...run.env },
  });
  try {
    const counts = readCounts(output);
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
  } catch {
    console.error(`[test] ${run.name}: no report was written`);
    failed += 1;
  }
  if (result.status !== 0) exitCode = 1;
}

console.log(`\nTook ${((Date.now() - started) / 1000).toFixed(0)}s`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode || (failed > 0 ? 1 : 0));

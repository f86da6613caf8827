// `npm test`: the whole suite, as CI runs it. Unit and integration tests on SQLite, the tests that reach
// the database through the app again on PostgreSQL, those that reach storage again on S3, then the
// browser tests in Chromium. Ends with one plain summary line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

interface Run {
  name: string;
  args: string[];
  env?: Record<string, string>;
}

const extra = process.argv.slice(2);
const runs: Run[] = [
  { name: "unit and integration (SQLite)", args: ["vitest", "run", ...extra] },
  // The data layer's own tests already run on both databases; these reach the database through the app.
  {
    name: "the app on PostgreSQL",
    args: ["vitest", "run", "test/routes", "test/worker.test.ts", "test/extensions.test.ts", ...extra],
    env: { TEST_DATABASE: "postgresql" },
  },
  // The same storage, files-route and erase tests again with object storage: a loopback S3 server per file.
  {
    name: "the app on S3 storage",
    args: ["vitest", "run", "test/storage/storage.test.ts", "test/routes/files.test.ts", "test/routes/webhooks.test.ts", "test/routes/uploads.test.ts", "test/worker.test.ts", ...extra],
    env: { TEST_STORAGE: "s3" },
  },
  { name: "browser (Chromium)", args: ["vitest", "run", "--config", "test/e2e/vitest.config.ts", ...extra] },
  {
    name: "browser on S3 storage",
    args: ["vitest", "run", "--config", "test/e2e/vitest.config.ts", "test/e2e/stable-urls.e2e.test.ts", ...extra],
    env: { TEST_STORAGE: "s3" },
  },
];

const dir = mkdtempSync(path.join(tmpdir(), "studio-test-"));
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
const started = Date.now();

for (const [index, run] of runs.entries()) {
  const output = path.join(dir, `${index}.json`);
  console.log(`\n\x1b[1m=== ${run.name} ===\x1b[0m`);
  const result = spawnSync("npx", [...run.args, "--reporter=default", "--reporter=json", `--outputFile.json=${output}`], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "test", ...run.env },
  });
  try {
    const report = JSON.parse(readFileSync(output, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    console.error(`[test] ${run.name}: no report was written`);
    failed += 1;
  }
  if (result.status !== 0) exitCode = 1;
}

console.log(`\nTook ${((Date.now() - started) / 1000).toFixed(0)}s`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode || (failed > 0 ? 1 : 0));

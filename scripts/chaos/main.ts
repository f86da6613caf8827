// `npm run chaos`: issue 9's proof. Starts the app as real processes (the built web app, workers, the
// Admin API emulator in this process) on real Redis and a real database, injects one fault per scenario
// and checks the outcome against the emulator's own records, the database and the pages. Every scenario
// runs on SQLite, the database-related ones again on PostgreSQL. Prints one table row per scenario and
// ends with the summary line; exits non-zero on any failure.
//
//   npx tsx scripts/chaos/main.ts [--db sqlite|postgresql] [--only 1,5,7] [--json report.json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { DatabaseKind } from "../../test/db.ts";
import { auditShop } from "./audit.ts";
import { ScenarioContext, type Scenario } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import { ChaosStack } from "./stack.ts";
import { pollFor } from "./util.ts";

const SCENARIO_TIMEOUT_MS = 150_000;
/** After a scenario, how long its stores may take to finish what is still running before the audit. */
const SETTLE_MS = 15_000;

interface Row {
  scenario: Scenario;
  kind: DatabaseKind;
  pass: boolean;
  observed: string;
  duplicatedMedia: number;
  lostJobs: number;
  capOverruns: number;
  seconds: number;
}

const { values } = parseArgs({ options: { db: { type: "string" }, only: { type: "string" }, json: { type: "string" } } });
const kinds: DatabaseKind[] = values.db ? [values.db as DatabaseKind] : ["sqlite", "postgresql"];
const only = values.only ? new Set(values.only.split(",").map(Number)) : undefined;
const runDir = mkdtempSync(path.join(tmpdir(), "studio-chaos-"));

function log(message: string) {
  console.log(`\x1b[1m[chaos]\x1b[0m ${message}`);
}

async function runScenario(chaos: ChaosStack, scenario: Scenario): Promise<Row> {
  const started = Date.now();
  const ctx = new ScenarioContext(chaos, scenario);
  chaos.note(`scenario ${scenario.id} starts`);
  let pass = false;
  let observed = "";
  let capOverruns = 0;
  try {
    let timer: NodeJS.Timeout | undefined;
    const limit = scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish within ${limit / 1000}s`)), limit);
    });
    const result = await Promise.race([scenario.run(ctx), timeout]).finally(() => clearTimeout(timer));
    ({ pass, observed } = result);
    capOverruns = result.capOverruns ?? 0;
  } catch (error) {
    observed = `✗ ${(error as Error).message}`;
  }
  // Whatever the scenario left behind is undone, and what still runs may finish, before the audit.
  chaos.gemini.release();
  chaos.redisProxy.restore();
  await chaos.normaliseWorkers();
  await pollFor(() => ctx.quiet(), Boolean, SETTLE_MS, 250);
  let duplicatedMedia = 0;
  let lostJobs = 0;
  const findings: string[] = [];
  for (const client of ctx.shops) {
    const audit = await auditShop(chaos, client.shop);
    duplicatedMedia += audit.duplicatedMedia;
    lostJobs += audit.lostJobs;
    findings.push(...audit.findings);
  }
  if (findings.length) observed += `; audit: ${findings.join(", ")}`;
  chaos.note(`scenario ${scenario.id} ends: ${observed}`);
  const clean = duplicatedMedia === 0 && lostJobs === 0 && capOverruns === 0;
  return {
    scenario,
    kind: chaos.kind,
    pass: pass && clean,
    observed,
    duplicatedMedia,
    lostJobs,
    capOverruns,
    seconds: (Date.now() - started) / 1000,
  };
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function printRow(row: Row) {
  console.log(
    `| ${row.scenario.id} | ${row.kind} | ${cell(row.scenario.fault)} | ${cell(row.scenario.expected)} | ${cell(row.observed)} | ${row.pass ? "pass" : "FAIL"} |`,
  );
}

const rows: Row[] = [];
const started = Date.now();
log(`processes' output and the run's files (kept if anything fails): ${runDir}`);
console.log("| # | database | fault | expected | observed | result |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const kind of kinds) {
  const scenarios = SCENARIOS.filter((s) => s.databases.includes(kind) && (!only || only.has(s.id)));
  // The scenarios with the shared stack's settings first, then each one with its own `env` on a stack of its own.
  const groups = [scenarios.filter((s) => !s.env), ...scenarios.filter((s) => s.env).map((s) => [s])];
  for (const group of groups) {
    if (group.length === 0) continue;
    const own = group[0].env ? { name: `scenario-${group[0].id}`, env: group[0].env } : {};
    const chaos = await ChaosStack.start(kind, runDir, own);
    try {
      for (const scenario of group) {
        const row = await runScenario(chaos, scenario);
        rows.push(row);
        printRow(row);
      }
    } finally {
      await chaos.close();
    }
  }
}

const sum = (pick: (row: Row) => number) => rows.reduce((total, row) => total + pick(row), 0);
const passed = rows.filter((r) => r.pass).length;
log(
  `took ${((Date.now() - started) / 1000).toFixed(0)}s (${rows.map((r) => `${r.scenario.id}/${r.kind}: ${r.seconds.toFixed(0)}s`).join(", ")})`,
);
const totals = {
  scenarios: rows.length,
  passed,
  duplicatedMedia: sum((r) => r.duplicatedMedia),
  lostJobs: sum((r) => r.lostJobs),
  capOverruns: sum((r) => r.capOverruns),
};
// The report npm test counts (scripts/test.ts).
if (values.json) writeFileSync(values.json, JSON.stringify(totals));
// The processes' logs are kept for a failed run only.
if (passed === rows.length) rmSync(runDir, { recursive: true, force: true });
console.log(
  `${totals.scenarios} scenarios, ${totals.passed} passed, ${totals.duplicatedMedia} duplicated media, ${totals.lostJobs} lost jobs, ${totals.capOverruns} cap overruns`,
);
process.exit(passed === rows.length && rows.length > 0 ? 0 : 1);

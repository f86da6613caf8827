import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { parseDatabaseUrl } from "~/infra/database-url";

// test/setup/database.ts is exercised through a real vitest run of a fixture test file.

const root = path.resolve(import.meta.dirname, "../..");
const reports = mkdtempSync(path.join(tmpdir(), "studio-setup-"));

afterAll(() => rmSync(reports, { recursive: true, force: true }));

async function postgresqlDatabaseExists(url: string) {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRESQL_URL ?? "postgresql://root@127.0.0.1:5432/postgres" });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe.each(["sqlite", "postgresql"] as const)("the database setup file with TEST_DATABASE=%s", (kind) => {
  test("gives a test file a migrated database before its imports, and drops it afterwards", async () => {
    const report = path.join(reports, `${kind}.txt`);
    const run = spawnSync(
      path.join(root, "node_modules/.bin/vitest"),
      ["run", "--config", "test/setup/database.fixture.config.ts", "--reporter=dot"],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, TEST_DATABASE: kind, FIXTURE_REPORT: report, DATABASE_URL: "file:/nonexistent/should-not-be-used.sqlite" },
      },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const url = readFileSync(report, "utf8");
    const target = parseDatabaseUrl(url);
    expect(target.kind).toBe(kind);
    const leftBehind = target.kind === "sqlite" ? existsSync(target.file) : await postgresqlDatabaseExists(target.url);
    expect(leftBehind).toBe(false);
  });
});

import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { parseDatabaseUrl } from "~/infra/database-url";
import { createEmptyDatabase, type DatabaseKind } from "../test/db";
import { MIGRATION_DIRS, migrate, readMigrations } from "./migrate.ts";

const INIT = "20261128120000_init";
// Every migration in the repository's folder, in order: helpers add their own beside the first one.
const ALL = (kind: DatabaseKind) => readMigrations(MIGRATION_DIRS[kind], kind).map((migration) => migration.name);
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A private copy of the real migrations that a test may edit or add to. */
function copyMigrations(kind: DatabaseKind) {
  const dir = mkdtempSync(path.join(tmpdir(), "studio-migrations-"));
  temporary.push(dir);
  cpSync(MIGRATION_DIRS[kind], dir, { recursive: true });
  return {
    dirs: { ...MIGRATION_DIRS, [kind]: dir },
    write(name: string, sql: string) {
      mkdirSync(path.join(dir, name), { recursive: true });
      writeFileSync(path.join(dir, name, "migration.sql"), sql);
    },
    file: (name: string) => path.join(dir, name, "migration.sql"),
  };
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number | bigint;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const target = parseDatabaseUrl(url);
  if (target.kind === "sqlite") {
    const db = new Database(target.file, { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const tableNames = async (url: string, kind: DatabaseKind) =>
  (
    await query<{ name: string }>(
      url,
      kind === "sqlite"
        ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
        : `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
    )
  )
    .map((r) => r.name)
    .sort();

describe.each(["sqlite", "postgresql"] as const)("scripts/migrate.ts on %s", (kind) => {
  let database: { url: string; drop(): Promise<void> };

  beforeEach(async () => {
    database = await createEmptyDatabase(kind);
  });

  afterEach(async () => {
    await database.drop();
  });

  test("applies every migration to an empty database, then nothing on a second run", async () => {
    expect(ALL(kind)[0]).toBe(INIT);
    expect(await migrate(database.url)).toEqual({ applied: ALL(kind) });
    expect(await tableNames(database.url, kind)).toEqual(
      expect.arrayContaining(["Batch", "Job", "Output", "Session", "ShopSettings", "SourceImage", "Usage", "_prisma_migrations"]),
    );
    expect(await migrate(database.url)).toEqual({ applied: [] });
    expect(await query(database.url, `SELECT * FROM "_prisma_migrations"`)).toHaveLength(ALL(kind).length);
  });

  test("records each migration as Prisma does: uuid, sha256 of the file, finish time, one step", async () => {
    await migrate(database.url);
    const [row] = await query<MigrationRow>(database.url, `SELECT * FROM "_prisma_migrations" WHERE "migration_name" = '${INIT}'`);
    const file = readFileSync(path.join(MIGRATION_DIRS[kind], INIT, "migration.sql"));
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
    expect(row.migration_name).toBe(INIT);
    expect(row.logs).toBeNull();
    expect(row.rolled_back_at).toBeNull();
    expect(row.finished_at).not.toBeNull();
    expect(row.started_at).not.toBeNull();
    expect(Number(row.applied_steps_count)).toBe(1);
  });

  test("creates _prisma_migrations with the columns and types Prisma's engine uses", async () => {
    await migrate(database.url);
    const columns =
      kind === "sqlite"
        ? (
            await query<{ name: string; type: string; notnull: number }>(
              database.url,
              `SELECT name, type, "notnull" FROM pragma_table_info('_prisma_migrations')`,
            )
          ).map((c) => `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}`)
        : (
            await query<{ name: string; type: string; notnull: boolean }>(
              database.url,
              `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
               FROM pg_attribute a WHERE a.attrelid = '_prisma_migrations'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
            )
          ).map((c) => `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}`);
    expect(columns).toEqual(
      kind === "sqlite"
        ? [
            "id TEXT NOT NULL",
            "checksum TEXT NOT NULL",
            "finished_at DATETIME",
            "migration_name TEXT NOT NULL",
            "logs TEXT",
            "rolled_back_at DATETIME",
            "started_at DATETIME NOT NULL",
            "applied_steps_count INTEGER UNSIGNED NOT NULL",
          ]
        : [
            "id character varying(36) NOT NULL",
            "checksum character varying(64) NOT NULL",
            "finished_at timestamp with time zone",
            "migration_name character varying(255) NOT NULL",
            "logs text",
            "rolled_back_at timestamp with time zone",
            "started_at timestamp with time zone NOT NULL",
            "applied_steps_count integer NOT NULL",
          ],
    );
  });

  test("applies only the migrations added since the last run", async () => {
    const copy = copyMigrations(kind);
    await migrate(database.url, copy.dirs);
    copy.write("20990101000000_add_note", `ALTER TABLE "Job" ADD COLUMN "note" TEXT;\n`);
    expect(await migrate(database.url, copy.dirs)).toEqual({ applied: ["20990101000000_add_note"] });
    expect(await query(database.url, `SELECT "note" FROM "Job"`)).toEqual([]);
  });

  test("refuses to run when an applied migration was edited since", async () => {
    const copy = copyMigrations(kind);
    await migrate(database.url, copy.dirs);
    writeFileSync(copy.file(INIT), `${readFileSync(copy.file(INIT), "utf8")}\n-- an innocent-looking edit\n`);
    await expect(migrate(database.url, copy.dirs)).rejects.toThrow(`Migration ${INIT} was edited after it was applied`);
  });

  test("refuses to run when the database has a migration the folder lacks", async () => {
    const copy = copyMigrations(kind);
    copy.write("20990101000000_add_note", `ALTER TABLE "Job" ADD COLUMN "note" TEXT;\n`);
    await migrate(database.url, copy.dirs);
    await expect(migrate(database.url)).rejects.toThrow("20990101000000_add_note is applied to the database but missing");
  });

  test("a failing migration changes nothing and records nothing, and runs once fixed", async () => {
    const copy = copyMigrations(kind);
    await migrate(database.url, copy.dirs);
    copy.write("20990101000000_broken", `CREATE TABLE "Half" ("id" TEXT NOT NULL);\nSELECT * FROM "NoSuchTable";\n`);
    await expect(migrate(database.url, copy.dirs)).rejects.toThrow(/NoSuchTable/);
    expect(await tableNames(database.url, kind)).not.toContain("Half");
    expect(await query(database.url, `SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`)).toEqual(
      ALL(kind).map((name) => ({ migration_name: name })),
    );

    copy.write("20990101000000_broken", `CREATE TABLE "Half" ("id" TEXT NOT NULL);\n`);
    expect(await migrate(database.url, copy.dirs)).toEqual({ applied: ["20990101000000_broken"] });
    expect(await tableNames(database.url, kind)).toContain("Half");
  });
});

test("two PostgreSQL migrators started together apply each migration once", async () => {
  const database = await createEmptyDatabase("postgresql");
  try {
    const results = await Promise.all([migrate(database.url), migrate(database.url), migrate(database.url)]);
    expect(results.flatMap((r) => r.applied)).toEqual(ALL("postgresql"));
    expect(await query(database.url, `SELECT * FROM "_prisma_migrations"`)).toHaveLength(ALL("postgresql").length);
  } finally {
    await database.drop();
  }
});

test("a migrations folder locked to the other provider is refused", () => {
  expect(() => readMigrations(MIGRATION_DIRS.postgresql, "sqlite")).toThrow("holds postgresql migrations, not sqlite ones");
});

test("the command line applies pending migrations to --database-url and says so", async () => {
  const { spawnSync } = await import("node:child_process");
  const database = await createEmptyDatabase("sqlite");
  try {
    const run = () =>
      spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "migrate.ts"), "--database-url", database.url], {
        encoding: "utf8",
      });
    expect(run().stdout.trim()).toBe(`Applied ${ALL("sqlite").join(", ")}`);
    expect(run().stdout.trim()).toBe("No pending migrations.");
  } finally {
    await database.drop();
  }
});

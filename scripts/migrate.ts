// Applies pending migrations from prisma/migrations (SQLite) or prisma/postgresql/migrations (PostgreSQL)
// without Prisma's schema engine, which cannot be downloaded here. It keeps Prisma's bookkeeping exactly
// (the `_prisma_migrations` table, its rows, sha256 checksums), so `prisma migrate deploy` can take
// over wherever the engine is available.
//
//   npx tsx scripts/migrate.ts [--database-url URL]     (default: $DATABASE_URL, else the app's default)
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from "../app/infra/database-url.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MIGRATION_DIRS = {
  sqlite: path.join(root, "prisma/migrations"),
  postgresql: path.join(root, "prisma/postgresql/migrations"),
} as const;

// As Prisma's schema engine creates it, per provider.
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;
const POSTGRESQL_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;
// The key Prisma's engine takes, so this runner and `prisma migrate deploy` never run at the same time.
const POSTGRESQL_ADVISORY_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export function readMigrations(dir: string, provider: DatabaseTarget["kind"]): Migration[] {
  const lock = readFileSync(path.join(dir, "migration_lock.toml"), "utf8");
  const locked = /^provider\s*=\s*"([^"]+)"/m.exec(lock)?.[1];
  if (locked !== provider) throw new Error(`${dir} holds ${locked} migrations, not ${provider} ones.`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

/** The migrations still to apply; throws when the database's history disagrees with the files. */
export function selectPending(migrations: Migration[], rows: AppliedRow[]): Migration[] {
  const live = rows.filter((row) => row.rolled_back_at == null);
  const failed = live.find((row) => row.finished_at == null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and was not rolled back; fix the database, then mark it rolled back.`,
    );
  }
  const byName = new Map(live.map((row) => [row.migration_name, row]));
  for (const migration of migrations) {
    const row = byName.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new Error(`Migration ${migration.name} was edited after it was applied (checksum differs). Add a new migration instead.`);
    }
  }
  const known = new Set(migrations.map((m) => m.name));
  const missing = live.find((row) => !known.has(row.migration_name));
  if (missing) throw new Error(`Migration ${missing.migration_name} is applied to the database but missing from the migrations folder.`);
  return migrations.filter((m) => !byName.has(m.name));
}

function migrateSqlite(file: string, migrations: Migration[]): string[] {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const applied: string[] = [];
    // IMMEDIATE takes the write lock before reading the history, so two processes starting together
    // cannot both apply the same migration.
    const run = db.transaction(() => {
      const rows = db
        .prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`)
        .all() as AppliedRow[];
      for (const migration of selectPending(migrations, rows)) {
        const startedAt = Date.now();
        db.exec(migration.sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
        ).run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
        applied.push(migration.name);
      }
    });
    run.immediate();
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgresql(url: string, migrations: Migration[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [POSTGRESQL_ADVISORY_LOCK]);
    await client.query(POSTGRESQL_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>("SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations");
    const applied: string[] = [];
    for (const migration of selectPending(migrations, rows)) {
      await client.query("BEGIN");
      try {
        const { rows: started } = await client.query<{ now: Date }>("SELECT clock_timestamp() AS now");
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, started[0].now],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [POSTGRESQL_ADVISORY_LOCK]).catch(() => {});
    await client.end();
  }
}

export async function migrate(url: string, dirs: { sqlite: string; postgresql: string } = MIGRATION_DIRS): Promise<{ applied: string[] }> {
  const target = parseDatabaseUrl(url);
  const migrations = readMigrations(dirs[target.kind], target.kind);
  const applied = target.kind === "sqlite" ? migrateSqlite(target.file, migrations) : await migratePostgresql(target.url, migrations);
  return { applied };
}

function readUrlArgument(argv: string[]): string {
  const index = argv.indexOf("--database-url");
  if (index >= 0) {
    const value = argv[index + 1];
    if (!value) throw new Error("--database-url needs a value.");
    return value;
  }
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  migrate(readUrlArgument(process.argv.slice(2))).then(
    ({ applied }) => console.log(applied.length ? `Applied ${applied.join(", ")}` : "No pending migrations."),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}

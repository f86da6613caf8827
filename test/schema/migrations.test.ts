import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MIGRATION_DIRS, migrate } from "../../scripts/migrate.ts";
import { POSTGRESQL_SCHEMA, SQLITE_SCHEMA } from "../../scripts/prisma-schemas.ts";
import { createEmptyDatabase, type DatabaseKind } from "../db";
import { readDatamodel } from "./dmmf";
import { expectShape, introspect, type DatabaseShape } from "./shape";

// The migrations are written by hand (Prisma's migration engine cannot be downloaded here), so this is
// what keeps them honest: applied to an empty database, they must build exactly what schema.prisma
// describes, on both providers.

const SCHEMAS: Record<DatabaseKind, string> = { sqlite: SQLITE_SCHEMA, postgresql: POSTGRESQL_SCHEMA };
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the provider's migrations with one file edited, to prove the comparison notices. */
function breakMigrations(kind: DatabaseKind, from: string | RegExp, to: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "studio-migrations-"));
  temporary.push(dir);
  cpSync(MIGRATION_DIRS[kind], dir, { recursive: true });
  const init = readdirSync(dir).find((name) => name.endsWith("_init"))!;
  const file = path.join(dir, init, "migration.sql");
  const sql = readFileSync(file, "utf8");
  const broken = sql.replace(from, to);
  if (broken === sql) throw new Error(`The ${kind} migration no longer contains ${from}; pick another edit.`);
  writeFileSync(file, broken);
  return { ...MIGRATION_DIRS, [kind]: dir };
}

async function migratedShape(kind: DatabaseKind, dirs = MIGRATION_DIRS): Promise<DatabaseShape> {
  const database = await createEmptyDatabase(kind);
  try {
    await migrate(database.url, dirs);
    return await introspect(database.url);
  } finally {
    await database.drop();
  }
}

test("both providers have the same migrations, each folder locked to its provider", () => {
  const names = (dir: string) =>
    readdirSync(dir)
      .filter((name) => name !== "migration_lock.toml")
      .sort();
  expect(names(MIGRATION_DIRS.postgresql)).toEqual(names(MIGRATION_DIRS.sqlite));
  expect(readFileSync(path.join(MIGRATION_DIRS.sqlite, "migration_lock.toml"), "utf8")).toMatch(/^provider = "sqlite"$/m);
  expect(readFileSync(path.join(MIGRATION_DIRS.postgresql, "migration_lock.toml"), "utf8")).toMatch(/^provider = "postgresql"$/m);
});

describe.each(["sqlite", "postgresql"] as const)("migrations on %s", (kind) => {
  let expected: DatabaseShape;

  beforeAll(() => {
    expected = expectShape(readDatamodel(SCHEMAS[kind]), kind);
  });

  test("build exactly the tables, columns, keys, indexes and foreign keys that schema.prisma describes", async () => {
    const actual = await migratedShape(kind);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
  });

  test("a migration that misses an index no longer matches the schema", async () => {
    const actual = await migratedShape(kind, breakMigrations(kind, /-- CreateIndex\nCREATE INDEX "Job_shop_status_idx"[^;]*;/, ""));
    expect(actual.Job.indexes).not.toEqual(expected.Job.indexes);
    expect({ ...actual.Job, indexes: expected.Job.indexes }).toEqual(expected.Job);
  });

  test("a migration with the wrong onDelete no longer matches the schema", async () => {
    const sourceFk =
      kind === "sqlite"
        ? /(REFERENCES "Job" \("id"\)) ON DELETE CASCADE/
        : /("SourceImage_jobId_fkey" FOREIGN KEY \("jobId"\) REFERENCES "Job"\("id"\)) ON DELETE CASCADE/;
    const actual = await migratedShape(kind, breakMigrations(kind, sourceFk, "$1 ON DELETE RESTRICT"));
    expect(actual.SourceImage.foreignKeys[0].onDelete).toBe("RESTRICT");
    expect(actual.SourceImage).not.toEqual(expected.SourceImage);
  });

  test("a migration with a nullable column or a missing default no longer matches the schema", async () => {
    const dirs = breakMigrations(kind, `"status" TEXT NOT NULL DEFAULT 'queued'`, `"status" TEXT`);
    const actual = await migratedShape(kind, dirs);
    expect(actual.Job.columns.status).toEqual({ type: expected.Job.columns.status.type, nullable: true, default: null });
    expect(actual.Job).not.toEqual(expected.Job);
  });

  test("a migration with a wrong column type no longer matches the schema", async () => {
    const actual = await migratedShape(kind, breakMigrations(kind, `"userId" BIGINT`, `"userId" INTEGER`));
    expect(actual.Session.columns.userId.type).not.toBe(expected.Session.columns.userId.type);
    expect(actual.Session).not.toEqual(expected.Session);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createPrismaClient, type Db } from "~/infra/prisma-client.server";
import { migrate } from "../scripts/migrate.ts";

// A fresh, migrated database per caller: a SQLite file in its own temp folder, or a PostgreSQL database
// with a random name on the local server (TEST_POSTGRESQL_URL names the server's maintenance database).

export type DatabaseKind = "sqlite" | "postgresql";

export interface TestDatabase {
  url: string;
  prisma: Db;
  drop(): Promise<void>;
}

const POSTGRESQL_SERVER = process.env.TEST_POSTGRESQL_URL ?? "postgresql://root@127.0.0.1:5432/postgres";

async function runOnServer(sql: string) {
  const client = new pg.Client({ connectionString: POSTGRESQL_SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An empty database, not migrated: for tests of the migrations themselves. */
export async function createEmptyDatabase(kind: DatabaseKind): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "studio-db-"));
    return { url: `file:${path.join(dir, "test.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `studio_test_${randomBytes(6).toString("hex")}`;
  await runOnServer(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRESQL_SERVER);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => runOnServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const database = await createEmptyDatabase(kind);
  try {
    await migrate(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  const prisma = createPrismaClient(database.url);
  return {
    url: database.url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

export function testDatabaseKind(): DatabaseKind {
  const kind = process.env.TEST_DATABASE ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgresql") throw new Error(`TEST_DATABASE must be sqlite or postgresql, got "${kind}".`);
  return kind;
}

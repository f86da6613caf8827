import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../generated/prisma/sqlite/client";
import { PrismaClient as PostgresqlClient } from "../generated/prisma/postgresql/client";
import { parseDatabaseUrl } from "./database-url";

// Prisma 7 generates a client per provider from identical models. The app is typed against the SQLite
// one, the smaller feature set, so that whatever compiles runs on both. Kept apart from db.server.ts,
// which creates the app's client on import, so tests and scripts can make clients of their own.
export type Db = SqliteClient;

// The web and worker processes share one SQLite file: WAL lets readers and a writer proceed together,
// and the busy timeout makes a writer wait for the other process's write instead of failing at once.
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

function prepareSqliteFile(file: string) {
  if (file === ":memory:") return;
  mkdirSync(path.dirname(file), { recursive: true });
  // journal_mode is stored in the file, so setting it once here holds for every later connection.
  const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}

export interface PrismaClientOptions {
  /** Called with each SQL statement the client sends (Prisma's query event): for tests that count them. */
  onQuery?: (query: string) => void;
}

export function createPrismaClient(url: string, options: PrismaClientOptions = {}): Db {
  const target = parseDatabaseUrl(url);
  const log = options.onQuery ? { log: [{ emit: "event" as const, level: "query" as const }] } : {};
  let client: Db;
  if (target.kind === "sqlite") {
    prepareSqliteFile(target.file);
    client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: target.file, timeout: SQLITE_BUSY_TIMEOUT_MS }), ...log });
  } else {
    client = new PostgresqlClient({ adapter: new PrismaPg({ connectionString: target.url }), ...log }) as unknown as Db;
  }
  if (options.onQuery) {
    const onQuery = options.onQuery;
    (client as unknown as { $on(event: "query", listener: (e: { query: string }) => void): void }).$on("query", (e) => onQuery(e.query));
  }
  return client;
}

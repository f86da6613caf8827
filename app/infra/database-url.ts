import path from "node:path";

// One reading of DATABASE_URL for the app, the migration runner and the tests: `file:` is SQLite (one
// machine), `postgres://` or `postgresql://` is PostgreSQL (several machines).

export const DEFAULT_DATABASE_URL = "file:./storage/app.sqlite";

/** DATABASE_URL as the process has it now, without the Shopify app's settings (scripts use the database too). */
export function databaseUrlFromEnvironment(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

export type DatabaseTarget = { kind: "sqlite"; file: string } | { kind: "postgresql"; url: string };

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    // Relative paths are relative to the working directory, as the better-sqlite3 adapter opens them.
    const file = url.slice("file:".length).replace(/\?.*$/, "");
    if (!file) throw new Error(`DATABASE_URL "${url}" names no file.`);
    return { kind: "sqlite", file: file === ":memory:" ? file : path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: "postgresql", url };
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(":")[0]}:…".`);
}

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { derivePostgresqlSchema, POSTGRESQL_SCHEMA, SQLITE_SCHEMA } from "./prisma-schemas.ts";

describe("the PostgreSQL schema derived from prisma/schema.prisma", () => {
  test("the committed copy is what scripts/prisma-schemas.ts makes from the current schema", () => {
    const expected = derivePostgresqlSchema(readFileSync(SQLITE_SCHEMA, "utf8"));
    expect(readFileSync(POSTGRESQL_SCHEMA, "utf8"), "run: npx tsx scripts/prisma-schemas.ts").toBe(expected);
  });

  test("differs from the SQLite schema only in its provider and its client's output folder", () => {
    const sqlite = readFileSync(SQLITE_SCHEMA, "utf8");
    const derived = derivePostgresqlSchema(sqlite);
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).toContain('output   = "../../app/generated/prisma/postgresql"');
    const models = (schema: string) => schema.slice(schema.indexOf("model "));
    expect(models(derived)).toBe(models(sqlite));
  });

  test("refuses a schema whose datasource is not the expected SQLite one", () => {
    const sqlite = readFileSync(SQLITE_SCHEMA, "utf8");
    expect(() => derivePostgresqlSchema(sqlite.replace('provider = "sqlite"', 'provider = "mysql"'))).toThrow(/expected to find/);
  });
});

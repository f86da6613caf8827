import { afterAll } from "vitest";
import { createEmptyDatabase, testDatabaseKind } from "../db";
import { migrate } from "../../scripts/migrate.ts";

// Each test file gets its own migrated database (SQLite, or PostgreSQL with TEST_DATABASE=postgresql).
// DATABASE_URL is set here, before the test file's imports run, so ~/db.server connects to it.

const database = await createEmptyDatabase(testDatabaseKind());
await migrate(database.url);
process.env.DATABASE_URL = database.url;

afterAll(async () => {
  // The app's client, if the test file imported ~/db.server; dropping a database needs it closed.
  await globalThis.__studioPrisma?.client.$disconnect();
  globalThis.__studioPrisma = undefined;
  await database.drop();
});

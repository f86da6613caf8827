import { databaseUrlFromEnvironment } from "./database-url";
import { createPrismaClient, type Db } from "./prisma-client.server";

// The one Prisma client of the web and worker processes: SQLite for `file:` URLs, PostgreSQL for
// `postgresql://` ones.
export { createPrismaClient, type Db };

declare global {
  // Dev HMR re-evaluates this module; reusing the client avoids a new connection pool per edit.
  // Keyed by URL so that a changed DATABASE_URL (each test file has its own database) gets its own client.
  var __studioPrisma: { url: string; client: Db } | undefined;
}

const url = databaseUrlFromEnvironment();
const prisma: Db = globalThis.__studioPrisma?.url === url ? globalThis.__studioPrisma.client : createPrismaClient(url);
// In production the module is evaluated once, so keeping the client here changes nothing there.
globalThis.__studioPrisma = { url, client: prisma };

export { prisma };
export default prisma;

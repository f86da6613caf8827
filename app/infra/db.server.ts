import { DEFAULT_DATABASE_URL } from "./database-url";
import { createPrismaClient, type Db } from "./prisma-client.server";

// The one Prisma client of the web and worker processes: SQLite for `file:` URLs, PostgreSQL for
// `postgresql://` ones.
export { createPrismaClient, type Db };

declare global {
  // Dev HMR re-evaluates this module; reusing the client avoids a new connection pool per edit.
  // Keyed by URL so that a changed DATABASE_URL (each test file has its own database) gets its own client.
  var __studioPrisma: { url: string; client: Db } | undefined;
}

// Read here rather than through env.server, so scripts can use the database without the Shopify
// app's settings.
const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const prisma: Db = globalThis.__studioPrisma?.url === url ? globalThis.__studioPrisma.client : createPrismaClient(url);
if (process.env.NODE_ENV !== "production") globalThis.__studioPrisma = { url, client: prisma };

export { prisma };
export default prisma;

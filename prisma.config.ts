import { defineConfig } from "prisma/config";

// Prisma 7 reads the database URL for its migrate commands from here, no longer from schema.prisma.
// The app itself never reads this file: app/infra/db.server.ts builds its client from DATABASE_URL.
// For PostgreSQL, pass --schema prisma/postgresql/schema.prisma (its migrations sit beside it).
export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: process.env.DATABASE_URL ?? "file:./storage/app.sqlite" },
});

import { writeFileSync } from "node:fs";
import { expect, test } from "vitest";
import { prisma } from "~/infra/db.server";

// Run by test/setup/database.test.ts only: ~/db.server, imported above, must already be on a fresh,
// migrated database.
test("~/db.server is connected to this file's own migrated, empty database", async () => {
  expect(await prisma.job.count()).toBe(0);
  await prisma.shopSettings.create({ data: { shop: "fixture.myshopify.com" } });
  expect(await prisma.shopSettings.count()).toBe(1);
  writeFileSync(process.env.FIXTURE_REPORT!, process.env.DATABASE_URL!);
});

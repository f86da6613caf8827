import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/db";
import { parseDatabaseUrl } from "./database-url";
import { createPrismaClient } from "./prisma-client.server";

const SHOP = "shop-a.myshopify.com";
const OTHER_SHOP = "shop-b.myshopify.com";

describe("DATABASE_URL", () => {
  test("file: URLs are SQLite files, resolved from the working directory", () => {
    expect(parseDatabaseUrl("file:./storage/app.sqlite")).toEqual({ kind: "sqlite", file: `${process.cwd()}/storage/app.sqlite` });
    expect(parseDatabaseUrl("file:/var/data/app.sqlite")).toEqual({ kind: "sqlite", file: "/var/data/app.sqlite" });
  });

  test("postgres:// and postgresql:// URLs are PostgreSQL", () => {
    expect(parseDatabaseUrl("postgresql://u:p@db:5432/app").kind).toBe("postgresql");
    expect(parseDatabaseUrl("postgres://u:p@db:5432/app").kind).toBe("postgresql");
  });

  test("any other URL is refused with a message naming the two accepted forms", () => {
    expect(() => parseDatabaseUrl("mysql://u:p@db/app")).toThrow(/file: \(SQLite\) or postgresql:\/\/ \(PostgreSQL\)/);
    expect(() => parseDatabaseUrl("./app.sqlite")).toThrow(/DATABASE_URL must start with/);
  });
});

describe("app/infra/db.server.ts", () => {
  let database: TestDatabase;
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
  });

  afterAll(async () => {
    await globalThis.__studioPrisma?.client.$disconnect();
    globalThis.__studioPrisma = undefined;
    process.env.DATABASE_URL = saved;
    await database?.drop();
  });

  test("connects its one client to DATABASE_URL and reuses it when the module is evaluated again", async () => {
    process.env.DATABASE_URL = database.url;
    globalThis.__studioPrisma = undefined;
    vi.resetModules();
    const first = await import("./db.server");
    expect(first.default).toBe(first.prisma);
    await database.prisma.shopSettings.create({ data: { shop: SHOP } });
    expect(await first.prisma.shopSettings.findUnique({ where: { shop: SHOP } })).toMatchObject({ shop: SHOP, retentionDays: 90 });

    vi.resetModules();
    const again = await import("./db.server");
    expect(again.prisma).toBe(first.prisma);
  });
});

describe("SQLite connections", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
  });

  afterAll(async () => {
    await database?.drop();
  });

  test("use WAL and wait for another process's write lock instead of failing at once", async () => {
    const [{ journal_mode }] = await database.prisma.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    expect(journal_mode).toBe("wal");
    const [{ timeout }] = await database.prisma.$queryRawUnsafe<{ timeout: bigint | number }[]>("PRAGMA busy_timeout");
    expect(Number(timeout)).toBe(10_000);
  });

  test("a client created for a new file creates its folder", async () => {
    const { mkdtempSync, existsSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/studio-db-`);
    try {
      const client = createPrismaClient(`file:${dir}/nested/deeper/app.sqlite`);
      expect(existsSync(`${dir}/nested/deeper/app.sqlite`)).toBe(true);
      await client.$disconnect();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(["sqlite", "postgresql"] as const)("the schema through Prisma Client on %s", (kind) => {
  let database: TestDatabase;
  let prisma: TestDatabase["prisma"];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    prisma = database.prisma;
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function createJob(shop: string, productId: string, batchId?: string) {
    return prisma.job.create({
      data: {
        shop,
        productId,
        productTitle: "Ceramic mug",
        mode: "white",
        provider: "local",
        batchId,
        sources: {
          create: [
            {
              shop,
              position: 0,
              origin: "product",
              shopifyMediaId: "gid://shopify/MediaImage/1",
              width: 1600,
              height: 1200,
              bytes: 345_678,
            },
            { shop, position: 1, origin: "upload", storageKey: `${shop}/uploads/a.jpg`, used: false },
          ],
        },
        outputs: {
          create: [
            {
              shop,
              position: 0,
              storageKey: `${shop}/out/0.png`,
              format: "png",
              width: 2048,
              height: 2048,
              bytes: 1_234_567,
              provider: "local",
            },
          ],
        },
      },
      include: { sources: { orderBy: { position: "asc" } }, outputs: true },
    });
  }

  test("a job is created with its sources and outputs, and the schema's defaults", async () => {
    const job = await createJob(SHOP, "gid://shopify/Product/1");
    expect(job).toMatchObject({ status: "queued", progress: 0, attempts: 0, options: "{}", batchId: null, startedAt: null });
    expect(job.id).toMatch(/^c[a-z0-9]{20,}$/);
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(job.sources.map((s) => [s.position, s.origin, s.used])).toEqual([
      [0, "product", true],
      [1, "upload", false],
    ]);
    expect(job.outputs[0]).toMatchObject({ reviewState: "pending", report: "{}", shopifyMediaId: null, bytes: 1_234_567 });
  });

  test("jobs are listed by shop, newest first, without another shop's", async () => {
    const shop = `list-${kind}.myshopify.com`;
    const older = await createJob(shop, "gid://shopify/Product/10");
    await prisma.job.update({ where: { id: older.id }, data: { createdAt: new Date(Date.now() - 60_000) } });
    const newer = await createJob(shop, "gid://shopify/Product/11");
    await createJob(OTHER_SHOP, "gid://shopify/Product/12");
    const jobs = await prisma.job.findMany({
      where: { shop },
      orderBy: { createdAt: "desc" },
      include: { _count: { select: { outputs: true } } },
    });
    expect(jobs.map((j) => j.id)).toEqual([newer.id, older.id]);
    expect(jobs.every((j) => j._count.outputs === 1)).toBe(true);
    const running = await prisma.job.count({ where: { shop, status: { in: ["queued", "generating"] } } });
    expect(running).toBe(2);
  });

  test("deleting a job deletes its sources and outputs, and nothing of other jobs", async () => {
    const doomed = await createJob(SHOP, "gid://shopify/Product/20");
    const kept = await createJob(SHOP, "gid://shopify/Product/21");
    await prisma.job.delete({ where: { id: doomed.id } });
    expect(await prisma.sourceImage.count({ where: { jobId: doomed.id } })).toBe(0);
    expect(await prisma.output.count({ where: { jobId: doomed.id } })).toBe(0);
    expect(await prisma.sourceImage.count({ where: { jobId: kept.id } })).toBe(2);
    expect(await prisma.output.count({ where: { jobId: kept.id } })).toBe(1);
  });

  test("deleting a batch keeps its jobs and clears their batchId", async () => {
    const batch = await prisma.batch.create({ data: { shop: SHOP, mode: "white" } });
    const job = await createJob(SHOP, "gid://shopify/Product/30", batch.id);
    await prisma.batch.delete({ where: { id: batch.id } });
    expect(await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ batchId: null });
  });

  test("a source for a job that does not exist is refused", async () => {
    await expect(
      prisma.sourceImage.create({ data: { shop: SHOP, jobId: "no-such-job", position: 0, origin: "product" } }),
    ).rejects.toMatchObject({
      code: "P2003",
    });
  });

  test("usage is one row per shop and month, counted up atomically", async () => {
    const key = { shop_month: { shop: SHOP, month: "2026-11" } };
    await Promise.all(
      Array.from({ length: 5 }, () =>
        prisma.usage.upsert({
          where: key,
          create: { shop: SHOP, month: "2026-11", images: 1, costMicros: 39_000 },
          update: { images: { increment: 1 }, costMicros: { increment: 39_000 } },
        }),
      ),
    );
    expect(await prisma.usage.findUniqueOrThrow({ where: key })).toMatchObject({ images: 5, costMicros: 195_000 });
    await expect(prisma.usage.create({ data: { shop: SHOP, month: "2026-11" } })).rejects.toMatchObject({ code: "P2002" });
  });

  test("a shop's data is removed in one transaction", async () => {
    const shop = `gone-${kind}.myshopify.com`;
    await createJob(shop, "gid://shopify/Product/40");
    await prisma.shopSettings.create({ data: { shop } });
    await prisma.$transaction([prisma.job.deleteMany({ where: { shop } }), prisma.shopSettings.deleteMany({ where: { shop } })]);
    expect(await prisma.sourceImage.count({ where: { shop } })).toBe(0);
    expect(await prisma.shopSettings.count({ where: { shop } })).toBe(0);
  });
});

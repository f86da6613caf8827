import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/db";
import { PrismaSessionStorage } from "./session-storage.server";
import { captureLogs } from "./logger.server";

const KEY = randomBytes(32);

const SHOP = "shop-a.myshopify.com";
const OTHER_SHOP = "shop-b.myshopify.com";

function offlineSession(shop = SHOP) {
  return new Session({
    id: `offline_${shop}`,
    shop,
    state: "state-1",
    isOnline: false,
    scope: "read_products,write_products",
    accessToken: "shpat_offline",
  });
}

function onlineSession() {
  return new Session({
    id: `${SHOP}_4242424242`,
    shop: SHOP,
    state: "state-2",
    isOnline: true,
    scope: "read_products",
    expires: new Date("2026-12-01T10:20:30.456Z"),
    accessToken: "shpua_online",
    refreshToken: "refresh-1",
    refreshTokenExpires: new Date("2027-01-01T00:00:00.123Z"),
    onlineAccessInfo: {
      expires_in: 86399,
      associated_user_scope: "read_products",
      // Larger than a 32-bit integer: the reason userId is a BigInt column.
      associated_user: {
        id: 4242424242,
        first_name: "Ada",
        last_name: "Lovelace",
        email: "ada@example.com",
        email_verified: true,
        account_owner: true,
        locale: "zh-TW",
        collaborator: false,
      },
    },
  });
}

describe.each(["sqlite", "postgresql"] as const)("PrismaSessionStorage on %s", (kind) => {
  let database: TestDatabase;
  let storage: PrismaSessionStorage;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = new PrismaSessionStorage(database.prisma, { current: KEY });
  });

  afterAll(async () => {
    await database?.drop();
  });

  beforeEach(async () => {
    await database.prisma.session.deleteMany();
  });

  test("an offline session comes back as it was stored", async () => {
    const session = offlineSession();
    expect(await storage.storeSession(session)).toBe(true);
    const loaded = await storage.loadSession(session.id);
    expect(loaded).toBeInstanceOf(Session);
    expect(loaded!.equals(session)).toBe(true);
    expect(loaded!.onlineAccessInfo).toBeUndefined();
    expect(loaded!.expires).toBeUndefined();
  });

  test("an online session keeps its expiry, refresh token and user", async () => {
    const session = onlineSession();
    await storage.storeSession(session);
    const loaded = (await storage.loadSession(session.id))!;
    expect(loaded.equals(session)).toBe(true);
    expect(loaded.expires).toEqual(new Date("2026-12-01T10:20:30.456Z"));
    expect(loaded.refreshToken).toBe("refresh-1");
    expect(loaded.refreshTokenExpires).toEqual(new Date("2027-01-01T00:00:00.123Z"));
    expect(loaded.onlineAccessInfo?.associated_user).toEqual(session.onlineAccessInfo!.associated_user);
    const row = await database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.userId).toBe(4242424242n);
  });

  test("storing a session again replaces it", async () => {
    await storage.storeSession(offlineSession());
    const renewed = offlineSession();
    renewed.accessToken = "shpat_renewed";
    renewed.scope = "read_products";
    await storage.storeSession(renewed);
    const loaded = (await storage.loadSession(renewed.id))!;
    expect(loaded.accessToken).toBe("shpat_renewed");
    expect(loaded.scope).toBe("read_products");
    expect(await database.prisma.session.count()).toBe(1);
  });

  test("an unknown id loads nothing", async () => {
    expect(await storage.loadSession("offline_nobody.myshopify.com")).toBeUndefined();
  });

  test("deleting a session removes it, and deleting it again still succeeds", async () => {
    const session = offlineSession();
    await storage.storeSession(session);
    expect(await storage.deleteSession(session.id)).toBe(true);
    expect(await storage.loadSession(session.id)).toBeUndefined();
    expect(await storage.deleteSession(session.id)).toBe(true);
  });

  test("deleteSessions removes exactly the given ids", async () => {
    await storage.storeSession(offlineSession());
    await storage.storeSession(onlineSession());
    await storage.storeSession(offlineSession(OTHER_SHOP));
    expect(await storage.deleteSessions([`offline_${SHOP}`, onlineSession().id])).toBe(true);
    const left = await database.prisma.session.findMany({ select: { id: true } });
    expect(left).toEqual([{ id: `offline_${OTHER_SHOP}` }]);
  });

  test("findSessionsByShop returns that shop's sessions and no other shop's", async () => {
    await storage.storeSession(offlineSession());
    await storage.storeSession(onlineSession());
    await storage.storeSession(offlineSession(OTHER_SHOP));
    const found = await storage.findSessionsByShop(SHOP);
    expect(found.map((s) => s.id).sort()).toEqual([onlineSession().id, `offline_${SHOP}`].sort());
    expect(found.every((s) => s.shop === SHOP)).toBe(true);
    expect(await storage.findSessionsByShop("nobody.myshopify.com")).toEqual([]);
  });

  test("tokens are stored sealed: the row holds neither the access token nor the refresh token", async () => {
    await storage.storeSession(onlineSession());
    const row = await database.prisma.session.findUniqueOrThrow({ where: { id: onlineSession().id } });
    expect(row.accessToken).toMatch(/^enc1\./);
    expect(row.refreshToken).toMatch(/^enc1\./);
    const raw = JSON.stringify(row, (_key, value) => (typeof value === "bigint" ? String(value) : value));
    expect(raw).not.toContain("shpua_online");
    expect(raw).not.toContain("refresh-1");
    expect(raw).not.toContain(Buffer.from("shpua_online").toString("base64url"));
  });

  test("a plain-text row from before encryption is read as it was and sealed on that first read", async () => {
    await database.prisma.session.create({
      data: {
        id: `offline_${SHOP}`,
        shop: SHOP,
        state: "",
        isOnline: false,
        accessToken: "shpat_plain",
        refreshToken: "shprt_plain",
        scope: "write_products",
      },
    });
    const loaded = await storage.loadSession(`offline_${SHOP}`);
    expect(loaded?.accessToken).toBe("shpat_plain");
    expect(loaded?.refreshToken).toBe("shprt_plain");
    const row = await database.prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(row.accessToken).toMatch(/^enc1\./);
    expect(row.accessToken).not.toContain("shpat_plain");
    expect(row.refreshToken).not.toContain("shprt_plain");
    expect((await storage.loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_plain");
  });

  test("resealAll seals every plain row, including shops nobody has opened since", async () => {
    for (const shop of [SHOP, OTHER_SHOP]) {
      await database.prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: `shpat_${shop}` } });
    }
    expect(await storage.resealAll()).toBe(2);
    expect(await storage.resealAll()).toBe(0);
    const rows = await database.prisma.session.findMany();
    expect(rows.every((row) => row.accessToken.startsWith("enc1.") && !row.accessToken.includes("shpat_"))).toBe(true);
    expect((await storage.loadSession(`offline_${OTHER_SHOP}`))?.accessToken).toBe(`shpat_${OTHER_SHOP}`);
  });

  test("after a key rotation, values under the previous key still open and are sealed again under the new one", async () => {
    await storage.storeSession(offlineSession());
    const before = await database.prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    const rotated = new PrismaSessionStorage(database.prisma, { current: randomBytes(32), previous: KEY });
    expect((await rotated.loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_offline");
    const after = await database.prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(after.accessToken.split(".")[1]).not.toBe(before.accessToken.split(".")[1]);
    // The old key alone can no longer open it: the previous key can be dropped.
    const warnings = await captureLogs(async (lines) => {
      expect((await storage.loadSession(`offline_${SHOP}`))?.accessToken).toBeUndefined();
      return lines;
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, shop: SHOP, msg: expect.stringContaining("could not be decrypted") });
  });

  test("a value no configured key opens, or one copied from another row, loads as a session without a token", () =>
    captureLogs(async () => {
      await storage.storeSession(offlineSession());
      await storage.storeSession(offlineSession(OTHER_SHOP));
      const stranger = new PrismaSessionStorage(database.prisma, { current: randomBytes(32) });
      const unreadable = await stranger.loadSession(`offline_${SHOP}`);
      expect(unreadable?.accessToken).toBeUndefined();
      expect(unreadable?.isActive("read_products,write_products")).toBe(false);

      const other = await database.prisma.session.findUniqueOrThrow({ where: { id: `offline_${OTHER_SHOP}` } });
      await database.prisma.session.update({ where: { id: `offline_${SHOP}` }, data: { accessToken: other.accessToken } });
      expect((await storage.loadSession(`offline_${SHOP}`))?.accessToken).toBeUndefined();
    }));

  test("invalidateAccessToken forgets the refused token but not one renewed meanwhile", async () => {
    await storage.storeSession(offlineSession());
    expect(await storage.invalidateAccessToken(`offline_${SHOP}`, "shpat_someone_else")).toBe(false);
    expect((await storage.loadSession(`offline_${SHOP}`))?.accessToken).toBe("shpat_offline");
    expect(await storage.invalidateAccessToken(`offline_${SHOP}`, "shpat_offline")).toBe(true);
    const forgotten = await storage.loadSession(`offline_${SHOP}`);
    expect(forgotten?.accessToken).toBeUndefined();
    expect(forgotten?.scope).toBe("read_products,write_products");
  });
});

import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/db";
import { PrismaSessionStorage } from "./session-storage.server";

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
    storage = new PrismaSessionStorage(database.prisma);
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
});

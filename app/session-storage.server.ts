import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { Db } from "./prisma-client.server";

// Shopify sessions in the Session table. @shopify/shopify-app-session-storage-prisma supports only
// Prisma 6; this keeps its table layout and field mapping, so either can read the other's rows.

type SessionRow = Awaited<ReturnType<Db["session"]["findUniqueOrThrow"]>>;

function toRow(session: Session): SessionRow {
  const user = session.onlineAccessInfo?.associated_user;
  return {
    id: session.id,
    shop: session.shop,
    state: session.state,
    isOnline: session.isOnline,
    scope: session.scope ?? null,
    expires: session.expires ?? null,
    // The column is required, as in Shopify's template; a session without a token stores "".
    accessToken: session.accessToken ?? "",
    userId: user?.id != null ? BigInt(user.id) : null,
    firstName: user?.first_name ?? null,
    lastName: user?.last_name ?? null,
    email: user?.email ?? null,
    accountOwner: user?.account_owner ?? false,
    locale: user?.locale ?? null,
    collaborator: user?.collaborator ?? false,
    emailVerified: user?.email_verified ?? false,
    refreshToken: session.refreshToken ?? null,
    refreshTokenExpires: session.refreshTokenExpires ?? null,
  };
}

function toSession(row: SessionRow): Session {
  // fromPropertyArray rebuilds onlineAccessInfo for online sessions, as Shopify's own storages do.
  // Null columns are left out so that they come back undefined, not as the string "null".
  const entries: [string, string | number | boolean | null | undefined][] = [
    ["id", row.id],
    ["shop", row.shop],
    ["state", row.state],
    ["isOnline", row.isOnline],
    ["scope", row.scope],
    ["expires", row.expires?.getTime()],
    ["accessToken", row.accessToken || null],
    ["refreshToken", row.refreshToken],
    ["refreshTokenExpires", row.refreshTokenExpires?.getTime()],
    ["userId", row.userId == null ? null : Number(row.userId)],
    ["firstName", row.firstName],
    ["lastName", row.lastName],
    ["email", row.email],
    ["locale", row.locale],
    ["accountOwner", row.accountOwner],
    ["collaborator", row.collaborator],
    ["emailVerified", row.emailVerified],
  ];
  return Session.fromPropertyArray(
    entries.filter((entry): entry is [string, string | number | boolean] => entry[1] != null),
    true,
  );
}

export class PrismaSessionStorage implements SessionStorage {
  constructor(private readonly prisma: Db) {}

  async storeSession(session: Session): Promise<boolean> {
    const row = toRow(session);
    const { id, ...data } = row;
    await this.prisma.session.upsert({ where: { id }, create: row, update: data });
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.prisma.session.findUnique({ where: { id } });
    return row ? toSession(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.prisma.session.deleteMany({ where: { id } });
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await this.prisma.session.deleteMany({ where: { id: { in: ids } } });
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await this.prisma.session.findMany({ where: { shop }, orderBy: [{ expires: "desc" }, { id: "asc" }] });
    return rows.map(toSession);
  }
}

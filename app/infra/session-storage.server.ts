import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { Db } from "./prisma-client.server";
import { logger } from "./logger.server";

// Shopify sessions in the Session table. @shopify/shopify-app-session-storage-prisma supports only
// Prisma 6; this keeps its table layout and field mapping, so either can read the other's rows once
// the tokens are decrypted.
//
// Access and refresh tokens are sealed with AES-256-GCM: `enc1.<key id>.<iv>.<tag>.<ciphertext>`
// (base64url), authenticated together with the row's id and the column's name, so a sealed value
// copied into another shop's row does not open. The key id (a hash prefix of the key) says which key
// sealed a value. Rotation: put the new key in TOKEN_ENCRYPTION_KEY and the old one in
// TOKEN_ENCRYPTION_KEY_PREVIOUS; values under the old key still open, and each row is sealed again
// under the new key the first time it is read (`npm run tokens:reseal` does every row at once, after
// which the previous key can go). Plain-text rows from before encryption are sealed the same way.

type SessionRow = Awaited<ReturnType<Db["session"]["findUniqueOrThrow"]>>;
type TokenColumn = "accessToken" | "refreshToken";

export interface TokenKeys {
  current: Buffer;
  previous?: Buffer;
}

const SEALED = /^enc1\.([0-9a-f]{8})\.([\w-]+)\.([\w-]+)\.([\w-]*)$/;

function keyId(key: Buffer): string {
  return createHash("sha256").update("session-token-key\n").update(key).digest("hex").slice(0, 8);
}

class TokenSealer {
  private readonly currentId: string;
  private readonly keys: Map<string, Buffer>;

  constructor(keys: TokenKeys) {
    this.currentId = keyId(keys.current);
    this.keys = new Map([[this.currentId, keys.current]]);
    if (keys.previous) this.keys.set(keyId(keys.previous), keys.previous);
  }

  seal(value: string, id: string, column: TokenColumn): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(`${id}\n${column}`));
    const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return ["enc1", this.currentId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(
      ".",
    );
  }

  /** The token, whether it is sealed under the current key (`current`), and "unreadable" when no key opens it. */
  open(stored: string, id: string, column: TokenColumn): { value: string | undefined; current: boolean } {
    const match = SEALED.exec(stored);
    if (!match) return { value: stored, current: false };
    const [, kid, iv, tag, data] = match;
    const key = this.keys.get(kid);
    if (!key) return { value: undefined, current: false };
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(`${id}\n${column}`));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      const value = Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
      return { value, current: kid === this.currentId };
    } catch {
      return { value: undefined, current: false };
    }
  }
}

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
  private readonly sealer: TokenSealer;

  constructor(
    private readonly prisma: Db,
    keys: TokenKeys,
  ) {
    this.sealer = new TokenSealer(keys);
  }

  async storeSession(session: Session): Promise<boolean> {
    const row = this.seal(toRow(session));
    const { id, ...data } = row;
    await this.prisma.session.upsert({ where: { id }, create: row, update: data });
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.prisma.session.findUnique({ where: { id } });
    return row ? this.read(row) : undefined;
  }

  /**
   * Forgets the session's access token if it is still `token` (Shopify refused it), so that the next
   * embedded request exchanges a new one, as @shopify/shopify-app-remix's invalidateAccessToken does.
   * A token another request has already renewed is left alone. True when the token was forgotten.
   */
  async invalidateAccessToken(id: string, token: string): Promise<boolean> {
    const row = await this.prisma.session.findUnique({ where: { id } });
    if (!row || this.sealer.open(row.accessToken, id, "accessToken").value !== token) return false;
    const { count } = await this.prisma.session.updateMany({ where: { id, accessToken: row.accessToken }, data: { accessToken: "" } });
    return count > 0;
  }

  /** Seals every row that is in plain text or under the previous key; the number of rows sealed again. */
  async resealAll(): Promise<number> {
    let resealed = 0;
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.prisma.session.findMany({
        orderBy: { id: "asc" },
        take: 100,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const row of rows) if (await this.resealIfNeeded(row)) resealed += 1;
      if (rows.length < 100) return resealed;
      cursor = rows[rows.length - 1].id;
    }
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
    return Promise.all(rows.map((row) => this.read(row)));
  }

  private seal(row: SessionRow): SessionRow {
    return {
      ...row,
      accessToken: row.accessToken ? this.sealer.seal(row.accessToken, row.id, "accessToken") : "",
      refreshToken: row.refreshToken ? this.sealer.seal(row.refreshToken, row.id, "refreshToken") : null,
    };
  }

  /** The session with its tokens opened; a row not yet under the current key is sealed again on the way. */
  private async read(row: SessionRow): Promise<Session> {
    await this.resealIfNeeded(row);
    const access = row.accessToken ? this.sealer.open(row.accessToken, row.id, "accessToken") : { value: "" };
    const refresh = row.refreshToken ? this.sealer.open(row.refreshToken, row.id, "refreshToken") : { value: null };
    if (access.value === undefined || refresh.value === undefined) {
      // A key that is gone (or a demo run's key from before): the shop reconnects through token exchange.
      logger.warn(
        { shop: row.shop, session: row.id },
        "[sessions] a stored token could not be decrypted with TOKEN_ENCRYPTION_KEY or TOKEN_ENCRYPTION_KEY_PREVIOUS; the shop must reconnect",
      );
    }
    return toSession({ ...row, accessToken: access.value ?? "", refreshToken: refresh.value ?? null });
  }

  private async resealIfNeeded(row: SessionRow): Promise<boolean> {
    const columns = (["accessToken", "refreshToken"] as const).filter((column) => {
      const stored = row[column];
      if (!stored) return false;
      const opened = this.sealer.open(stored, row.id, column);
      return opened.value !== undefined && !opened.current;
    });
    if (columns.length === 0) return false;
    const data: Partial<Record<TokenColumn, string>> = {};
    for (const column of columns) data[column] = this.sealer.seal(this.sealer.open(row[column]!, row.id, column).value!, row.id, column);
    // Only if the row still holds what was read: a token stored meanwhile is newer and stays.
    const { count } = await this.prisma.session.updateMany({
      where: { id: row.id, accessToken: row.accessToken, refreshToken: row.refreshToken },
      data,
    });
    return count > 0;
  }
}

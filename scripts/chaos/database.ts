import path from "node:path";
import Database from "better-sqlite3";
import { createPrismaClient, type Db } from "../../app/infra/prisma-client.server.ts";
import { createEmptyDatabase, type DatabaseKind } from "../../test/db.ts";
import { startTcpProxy, type TcpProxy } from "./proxy.ts";

/**
 * The run's own database: a SQLite file, or a fresh PostgreSQL database on the shared server reached
 * by the app's processes through a proxy the harness can cut. The harness reads and writes it with its
 * own client, straight to the database.
 */
export interface ChaosDatabase {
  kind: DatabaseKind;
  /** DATABASE_URL for the app's processes. */
  appUrl: string;
  prisma: Db;
  /** PostgreSQL only: the proxy in front of it. */
  proxy?: TcpProxy;
  /**
   * Makes the database unusable for the app until the returned function is called: PostgreSQL's proxy
   * is cut; on SQLite the harness holds an exclusive lock on the file, so writers wait out their busy
   * timeout and fail (readers go on, as WAL lets them).
   */
  takeDown(): () => void;
  drop(): Promise<void>;
}

export async function createChaosDatabase(kind: DatabaseKind, dir: string): Promise<ChaosDatabase> {
  if (kind === "sqlite") {
    const file = path.join(dir, "chaos.sqlite");
    const appUrl = `file:${file}`;
    const prisma = createPrismaClient(appUrl);
    return {
      kind,
      appUrl,
      prisma,
      takeDown() {
        const lock = new Database(file);
        lock.exec("BEGIN EXCLUSIVE");
        return () => {
          lock.exec("COMMIT");
          lock.close();
        };
      },
      drop: () => prisma.$disconnect(),
    };
  }
  const empty = await createEmptyDatabase("postgresql");
  const direct = new URL(empty.url);
  const proxy = await startTcpProxy(Number(direct.port || 5432));
  const viaProxy = new URL(empty.url);
  viaProxy.port = String(proxy.port);
  const prisma = createPrismaClient(empty.url);
  return {
    kind,
    appUrl: viaProxy.toString(),
    prisma,
    proxy,
    takeDown() {
      proxy.cut();
      return () => proxy.restore();
    },
    async drop() {
      await prisma.$disconnect();
      await proxy.close();
      await empty.drop();
    },
  };
}

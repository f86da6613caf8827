import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort, waitUntil } from "./util.ts";

/**
 * A private redis-server on a free port, never the machine's shared one: the harness flushes it and
 * restarts it (without persistence, so a restart loses every queue entry, as the issue describes).
 */
export interface PrivateRedis {
  port: number;
  url: string;
  /** A connection for the harness itself, straight to the server. */
  client: Redis;
  flushAll(): Promise<void>;
  /** Stops the server and starts an empty one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  let server = await launch(port, dir);
  const client = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null, lazyConnect: true });
  client.on("error", () => {});
  await client.connect();
  const stopServer = async () => {
    if (server.exitCode !== null || server.signalCode) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGKILL");
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client,
    flushAll: async () => void (await client.flushall()),
    restart: async () => {
      await stopServer();
      server = await launch(port, dir);
      await waitUntil("the harness's Redis connection is back", async () => (await client.ping().catch(() => null)) === "PONG", 10_000);
    },
    stop: async () => {
      client.disconnect();
      await stopServer();
    },
  };
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: "ignore",
  });
  const probe = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await waitUntil(
      `redis-server on port ${port}`,
      async () => {
        if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
        try {
          if (probe.status !== "ready") await probe.connect();
          return (await probe.ping()) === "PONG";
        } catch {
          probe.disconnect();
          return false;
        }
      },
      10_000,
    );
  } finally {
    probe.disconnect();
  }
  return server;
}

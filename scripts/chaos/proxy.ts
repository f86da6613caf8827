import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP proxy in front of the private Redis or PostgreSQL, so the harness can take the service away
 * from the app's processes and give it back without touching the server itself (the shared
 * PostgreSQL on 5432 is never stopped). While cut, open connections are reset and new ones are closed
 * at once; the service and its data are untouched.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  /**
   * The answer to the next request whose bytes contain every one of `patterns` waits `ms` before it
   * reaches the client: a slow database at one chosen statement.
   */
  delayAnswer(patterns: string[], ms: number): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let cut = false;
  const delays: { patterns: Buffer[]; ms: number; resolve: () => void }[] = [];

  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    let holding = false;
    const held: Buffer[] = [];
    client.on("data", (chunk: Buffer) => {
      const index = delays.findIndex((d) => d.patterns.every((p) => chunk.includes(p)));
      if (index >= 0) {
        const [delay] = delays.splice(index, 1);
        holding = true;
        setTimeout(() => {
          holding = false;
          for (const data of held.splice(0)) client.write(data);
          delay.resolve();
        }, delay.ms);
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (holding) held.push(chunk);
      else client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", end);
    upstream.on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    cut() {
      cut = true;
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore() {
      cut = false;
    },
    delayAnswer: (patterns, ms) => new Promise((resolve) => delays.push({ patterns: patterns.map((p) => Buffer.from(p)), ms, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

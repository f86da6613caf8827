import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

// A pass-through proxy in front of the Admin API emulator that can lose an answer the way a network
// does: the request reaches Shopify and runs there, then the connection drops before any byte of the
// answer comes back. Point SHOPIFY_ADMIN_EMULATOR_URL at it.

export interface AdminProxy {
  origin: string;
  /** The next `count` requests of `operationName` run on the emulator, then their connection is cut. */
  loseAnswers(operationName: string, count?: number): void;
  /** Runs `fn` after a request of `operationName` ran on the emulator and before its answer is passed on (or lost). */
  afterRunning(operationName: string, fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}

export async function startAdminProxy(upstream: string): Promise<AdminProxy> {
  const losing = new Map<string, number>();
  const hooks = new Map<string, () => void | Promise<void>>();

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const operationName = readOperationName(body);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && name !== "host" && name !== "content-length") headers.set(name, value);
      }
      const answer = await fetch(`${upstream}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      const hook = operationName ? hooks.get(operationName) : undefined;
      if (hook) {
        hooks.delete(operationName!);
        await hook();
      }
      const left = operationName ? (losing.get(operationName) ?? 0) : 0;
      if (left > 0) {
        losing.set(operationName!, left - 1);
        req.socket.destroy();
        return;
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== "content-encoding" && name !== "transfer-encoding" && name !== "content-length") out[name] = value;
      });
      res.writeHead(answer.status, { ...out, "content-length": String(bytes.length) });
      res.end(bytes);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    loseAnswers: (operationName, count = 1) => void losing.set(operationName, count),
    afterRunning: (operationName, fn) => void hooks.set(operationName, fn),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function readOperationName(body: Buffer): string | undefined {
  try {
    const name = (JSON.parse(body.toString("utf8")) as { operationName?: unknown }).operationName;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

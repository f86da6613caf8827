import { spawn, type ChildProcess } from "node:child_process";
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { WORKER_ENV } from "../../scripts/stack/launch";
import { geminiAnswers } from "../fakes/gemini-fake";
import { asShop, call, type AppTest } from "../app";

// Real processes and real faults for the worker's recovery tests: a private redis-server on a free port
// (flushed or restarted without touching the machine's shared Redis) and a link to it that a test can
// cut, worker processes started as `npm run worker` starts them (killed for real), and a Gemini
// stand-in whose answers a test holds.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PrivateRedis {
  url: string;
  /** FLUSHALL: every key, the schedulers' too. */
  flush(): Promise<void>;
  /** A restart without persistence: the data is gone, the port answers again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let server: ChildProcess;
  const start = async () => {
    server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await waitFor(
      "the private redis-server",
      async () => {
        const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on("error", () => {});
        try {
          await client.connect();
          return (await client.ping()) === "PONG";
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      },
      10_000,
    );
  };
  const kill = async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async flush() {
      const client = new Redis({ port, host: "127.0.0.1" });
      await client.flushall();
      client.disconnect();
    },
    async restart() {
      await kill();
      await start();
    },
    stop: kill,
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run worker` as a child process, with the test's environment and these overrides. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/index.ts"], {
    cwd: root,
    env: { ...process.env, ...WORKER_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const worker: WorkerProcess = {
    child,
    output,
    exited,
    waitForOutput: (pattern, timeoutMs = 60_000) =>
      waitFor(
        `worker output ${pattern}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`The worker exited:\n${output.join("\n")}`);
          return output.some((line) => pattern.test(line));
        },
        timeoutMs,
      ).then(() => undefined),
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  await worker.waitForOutput(/\[worker\] ready/);
  return worker;
}

export interface HeldGemini {
  url: string;
  /** Requests received so far (each one a paid image call). */
  readonly calls: number;
  /** Requests received and not answered yet. */
  readonly waiting: number;
  /** From now on, answers wait until release(). */
  hold(): void;
  /** Answers what is waiting, and from now on at once. */
  release(): void;
  close(): Promise<void>;
}

/** A Gemini API stand-in (the wire format of test/fakes/gemini-fake.ts) whose answers a test can hold. */
export async function startHeldGemini(image: Buffer): Promise<HeldGemini> {
  const answer = JSON.stringify(geminiAnswers.image(image).body);
  let calls = 0;
  let holding = false;
  const waiting: ServerResponse[] = [];
  const send = (res: ServerResponse) => {
    if (res.destroyed) return;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(answer);
  };
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      calls++;
      if (holding) waiting.push(res);
      else send(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls;
    },
    get waiting() {
      return waiting.filter((res) => !res.destroyed).length;
    },
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const res of waiting.splice(0)) send(res);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of waiting.splice(0)) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The embedded page's "Generate" for one product (its first photo), as App Bridge posts it. */
export async function postGeneration(
  app: AppTest,
  shop: string,
  {
    product,
    mode = "white",
    provider,
    options = {},
  }: { product?: string; mode?: "white" | "lifestyle"; provider?: string; options?: object } = {},
): Promise<Response> {
  const { action } = await import("~/routes/app.new/route");
  const products = [...app.emulator.state.shops.get(shop)!.products.values()].filter((p) => p.mediaIds.length > 0);
  const chosen = products.find((p) => p.id === product) ?? products[0];
  const form = new FormData();
  form.set("productId", chosen.id);
  form.set("mode", mode);
  if (provider) form.set("provider", provider);
  form.set("options", JSON.stringify(options));
  form.append("mediaIds", chosen.mediaIds[0]);
  return call(action, await asShop(shop, "/app/new", { method: "POST", body: form }));
}

/** The job id a successful postGeneration() redirected to. */
export function jobIdOf(response: Response): string {
  if (response.status !== 302) throw new Error(`Expected a redirect to the job, got ${response.status}`);
  return new URL(response.headers.get("location")!).pathname.split("/").pop()!;
}

/** The bulk action on the first `count` products that have photos, through the extensions' endpoint. */
export async function postBulk(app: AppTest, shop: string, count: number, mode: "white" | "lifestyle" = "white"): Promise<Response> {
  const { action } = await import("~/routes/api.generate");
  const products = [...app.emulator.state.shops.get(shop)!.products.values()].filter((p) => p.mediaIds.length > 0);
  if (products.length < count) throw new Error(`The emulator's ${shop} has only ${products.length} products with photos`);
  const request = await asShop(shop, "/api/generate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ productIds: products.slice(0, count).map((p) => p.id), mode }),
  });
  return call(action, request);
}

export interface CuttableLink {
  url: string;
  /** From now on, nothing passes either way (the connections stay open, as on a dead network). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a Redis: what a process sends while the link is cut never arrives. */
export async function startCuttableLink(target: string): Promise<CuttableLink> {
  const { hostname, port } = new URL(target);
  let cut = false;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (data) => cut || upstream.write(data));
    upstream.on("data", (data) => cut || client.write(data));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => void (cut = true),
    restore: () => void (cut = false),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

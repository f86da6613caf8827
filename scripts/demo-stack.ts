// The demo stack: the local Admin API emulator (with its demo store), a migrated SQLite database, the
// built web app and the worker, wired with the demo settings and the offline `local` provider. Used by
// `npm run demo` and by the browser tests, so both run exactly the same thing.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startEmulator, DEMO_SHOP, type Emulator, type EmulatorOptions } from "./emulator/index.ts";
import { migrate } from "./migrate.ts";

const root = path.resolve(import.meta.dirname, "..");
const DEMO_API_KEY = "demo-api-key";
/** tsx's loader by its absolute URL: `--import tsx` resolves from the process's working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** The web process's Node flags; package.json's start script sets the same. */
export const WEB_NODE_FLAGS = ["--max-semi-space-size=2"];
/**
 * The worker process's allocator settings; package.json's worker script sets the same. glibc gives
 * each thread that allocates (onnxruntime's and libvips' threads) an arena of its own, up to 8 per
 * core, and raises its mmap threshold up to 32 MB once large blocks are freed, so ISNet's
 * intermediate tensors are carved out of arenas that keep their pages after the run. Two arenas, and
 * every block of 1 MiB or more mapped and unmapped on its own, keep the worker's resident memory near
 * what is live: peak RSS with WORKER_CONCURRENCY=2 about 1040-1160 → 800-830 MiB, at no measurable CPU cost.
 */
export const WORKER_ENV = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "1048576" };

export interface StackOptions {
  port: number;
  /** The database, and the files unless `storageEnv` says otherwise. */
  storageDir: string;
  /** STORAGE_URL and the AWS SDK's variables, for object storage; a folder under storageDir by default. */
  storageEnv?: Record<string, string>;
  queuePrefix: string;
  emulatorPort?: number;
  emulator?: EmulatorOptions;
  log?: (message: string) => void;
  quiet?: boolean;
  /** Worker processes to start (default 1); `startWorker()` adds more later. */
  workers?: number;
  /** Default: a SQLite file in `storageDir`. Migrated before the processes start. */
  databaseUrl?: string;
  /** Set for the web and worker processes after the demo settings (a provider, Redis, timings). */
  env?: Record<string, string>;
  /** Node options for the worker processes only, after tsx's: e.g. `--import` hooks written in TypeScript. */
  workerNodeOptions?: string[];
  /** Receives the processes' output instead of this process's stdout and stderr. */
  output?: (name: string, text: string) => void;
  /** Web processes to start (default 1): "web" on `port`, then "web-2", … on free ports. */
  webs?: number;
  /**
   * A process's own working directory and environment, by its name ("web-2", "worker-3"), as on a
   * machine of its own: with it, nothing a process reads or writes by a relative path is shared.
   * Default: the repository, and the stack's environment.
   */
  perProcess?: (name: string) => { cwd?: string; env?: Record<string, string> };
}

export interface Stack {
  /** The first web process's URL. */
  appUrl: string;
  /** Every web process's URL, the first one first. */
  webUrls: string[];
  emulator: Emulator;
  databaseUrl: string;
  /** The app secret the processes were given: session tokens and webhook HMACs are signed with it. */
  apiSecret: string;
  /** The web process and the worker processes started so far (exited ones included). */
  processes: { name: string; child: ChildProcess }[];
  /** Starts one more worker process with the stack's settings. */
  startWorker(): ChildProcess;
  stop(): Promise<void>;
  onExit(listener: (name: string, code: number | null) => void): void;
}

function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = path.join(dir, entry);
      // What the builds write (the extensions' bundles, types and manifests) is not a source: hashed, the
      // stamp written after a first build would never match, and the next stack would build again.
      if (entry === "generated" || entry === "dist" || entry === "shopify.d.ts" || entry === "manifest.json") continue;
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(full).update(readFileSync(full));
    }
  };
  walk(path.join(root, "app"));
  walk(path.join(root, "public"));
  for (const extension of ["product-action", "bulk-action", "shared"]) walk(path.join(root, "extensions", extension));
  hash.update(readFileSync(path.join(root, "vite.config.ts")));
  hash.update(readFileSync(path.join(root, "package-lock.json")));
  return hash.digest("hex");
}

async function run(command: string, args: string[]) {
  await new Promise<void>((resolve, reject) => {
    // A production build whatever the caller runs under (vitest sets NODE_ENV=test, which would bundle
    // React's development build): the browser tests test what merchants get.
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

/** Builds the web app unless the last build was made from the same sources. */
export async function buildIfStale(log: (message: string) => void) {
  const stampFile = path.join(root, "build", ".source-hash");
  const hash = sourceHash();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) return;
  log("Building the app and its admin extensions (first run or changed sources)…");
  await run("npx", ["remix", "vite:build", "--logLevel", "warn"]);
  // The demo admin opens the extensions' real bundles.
  await run("bash", ["scripts/build-extensions.sh"]);
  writeFileSync(stampFile, hash);
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, options: StackOptions): ChildProcess {
  const own = options.perProcess?.(name) ?? {};
  const child = spawn(command, args, {
    cwd: own.cwd ?? root,
    env: { ...env, ...own.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: false,
  });
  const prefix = `[${name}] `;
  if (options.output) {
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => options.output!(name, chunk.toString()));
    return child;
  }
  if (!options.quiet) child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk.toString().replace(/^(?=.)/gm, prefix)));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk.toString().replace(/^(?=.)/gm, prefix)));
  return child;
}

/** Resolves once the web process answers `url` with 200; rejects when it exits first (a port taken meanwhile). */
async function waitForWeb(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode)
      throw new Error(`The web process for ${url} exited (${child.exitCode ?? child.signalCode})`);
    try {
      const response = await fetch(url, { redirect: "manual" });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {});
  mkdirSync(options.storageDir, { recursive: true });
  await buildIfStale(log);

  // Secrets made for this run: nothing signed or sealed by an earlier run, or by anyone who read this
  // file, is accepted. Tokens a previous run stored are unreadable now, and the shop simply reconnects.
  const apiSecret = randomBytes(32).toString("hex");
  const tokenKey = randomBytes(32).toString("base64");
  const emulator = await startEmulator({ port: options.emulatorPort ?? 0, ...options.emulator, apiKey: DEMO_API_KEY, apiSecret });
  log(`Admin API emulator at ${emulator.origin} (demo store ${DEMO_SHOP})`);

  const databaseUrl = options.databaseUrl ?? `file:${path.join(options.storageDir, "demo.sqlite")}`;
  const { applied } = await migrate(databaseUrl);
  if (applied.length) log(`Database migrated: ${applied.join(", ")}`);

  // Free ports picked now that the emulator has its own.
  const webPorts = [options.port];
  while (webPorts.length < (options.webs ?? 1)) {
    const port = await freePort();
    if (!webPorts.includes(port)) webPorts.push(port);
  }
  const webUrls = webPorts.map((port) => `http://127.0.0.1:${port}`);
  const appUrl = webUrls[0];
  let env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DEMO_MODE: "1",
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: apiSecret,
    TOKEN_ENCRYPTION_KEY: tokenKey,
    SHOPIFY_APP_URL: appUrl,
    SHOPIFY_ADMIN_EMULATOR_URL: emulator.origin,
    APP_BRIDGE_URL: "/demo/app-bridge.js",
    DATABASE_URL: databaseUrl,
    STORAGE_URL: `file:${path.join(options.storageDir, "files")}`,
    ...options.storageEnv,
    QUEUE_PREFIX: options.queuePrefix,
    PORT: String(options.port),
    HOST: "127.0.0.1",
    // tsx finds the path aliases (~/) in the tsconfig of its working directory, which may be another.
    TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json"),
  };
  // The demo is the offline default: no provider key reaches it even if the shell has one.
  for (const key of [
    "GEMINI_API_KEY",
    "NANO_BANANA_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "TOKEN_ENCRYPTION_KEY_PREVIOUS",
  ])
    delete env[key];
  env = { ...env, ...options.env };

  let stopping = false;
  const listeners: ((name: string, code: number | null) => void)[] = [];
  const processes: Stack["processes"] = [];
  // Node runs each entry itself (no npx or tsx wrapper process), so SIGTERM reaches the process that
  // must close cleanly, and nothing is left running after stop().
  const launch = (name: string, args: string[], own: Record<string, string> = {}) => {
    const child = start(name, process.execPath, args, { ...env, ...own }, options);
    child.on("exit", (code) => {
      if (!stopping) for (const listener of listeners) listener(name, code);
    });
    processes.push({ name, child });
    return child;
  };
  let workerCount = 0;
  const startWorker = () => {
    workerCount += 1;
    return launch(
      workerCount === 1 ? "worker" : `worker-${workerCount}`,
      [
        "--import",
        TSX,
        ...(options.workerNodeOptions ?? []).map((option) =>
          option.startsWith("./") ? pathToFileURL(path.join(root, option)).href : option,
        ),
        path.join(root, "worker/index.ts"),
      ],
      WORKER_ENV,
    );
  };
  // As `npm start` runs it: a small young generation, so that the buffers of a streamed upload are
  // reclaimed every few megabytes instead of piling up to ~64 MB before V8 collects them.
  // Paths are absolute: a process may run in a working directory of its own (perProcess).
  const webs = webUrls.map((url, i) =>
    launch(
      i === 0 ? "web" : `web-${i + 1}`,
      [...WEB_NODE_FLAGS, path.join(root, "app/server.ts"), path.join(root, "build/server/index.js")],
      // One SHOPIFY_APP_URL for all of them, as behind a load balancer.
      { PORT: new URL(url).port },
    ),
  );
  for (let i = 0; i < (options.workers ?? 1); i++) startWorker();

  const stop = async () => {
    stopping = true;
    // SIGTERM first so the worker finishes or returns its jobs; the web server closes idle keep-alive
    // connections and finishes requests in flight; whatever has not exited after 5 s is killed.
    const exited = processes.map(({ child: c }) => new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once("exit", r))));
    for (const { child } of processes) if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const { child } of processes) if (child.exitCode === null && !child.signalCode) child.kill("SIGKILL");
    }, 5000);
    await Promise.all(exited);
    clearTimeout(timer);
    await emulator.close();
  };

  try {
    await Promise.all(webUrls.map((url, i) => waitForWeb(`${url}/demo/app-bridge.js`, webs[i], 60_000)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { appUrl, webUrls, emulator, databaseUrl, apiSecret, processes, startWorker, stop, onExit: (l) => listeners.push(l) };
}

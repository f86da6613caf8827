// The app's processes on this machine, whatever they are configured for: web processes running the
// production build (as `npm start` does) and worker processes (as `npm run worker` does), each a child
// of this process, with their output prefixed by their name, and stopped cleanly together. It knows
// nothing of the demo: scripts/demo-stack.ts says what they run with.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "../..");
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

export interface LaunchOptions {
  /** The first web process's port; the others get free ports. */
  port: number;
  /** Web processes to start (default 1): "web" on `port`, then "web-2", … on free ports. */
  webs?: number;
  /** Worker processes to start (default 1); `startWorker()` adds more later. */
  workers?: number;
  /** Every process's environment (each web process's PORT is its own). */
  env: NodeJS.ProcessEnv;
  /** Resolves the launch once every web process answers it with 200. */
  readyPath: string;
  /** Node options for the worker processes only, after tsx's: e.g. `--import` hooks written in TypeScript. */
  workerNodeOptions?: string[];
  /** Receives the processes' output instead of this process's stdout and stderr. */
  output?: (name: string, text: string) => void;
  /** Drops the processes' stdout (their stderr is still shown). */
  quiet?: boolean;
  /**
   * A process's own working directory and environment, by its name ("web-2", "worker-3"), as on a
   * machine of its own: with it, nothing a process reads or writes by a relative path is shared.
   * Default: the repository, and `env`.
   */
  perProcess?: (name: string) => { cwd?: string; env?: Record<string, string> };
}

export interface Launched {
  /** Every web process's URL, the first one first. */
  webUrls: string[];
  /** The web processes and the worker processes started so far (exited ones included). */
  processes: { name: string; child: ChildProcess }[];
  /** Starts one more worker process with the same settings. */
  startWorker(): ChildProcess;
  stop(): Promise<void>;
  /** Called when a process exits before stop(). */
  onExit(listener: (name: string, code: number | null) => void): void;
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, options: LaunchOptions): ChildProcess {
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

/**
 * Starts the web and worker processes and resolves once every web process is up; when one is not
 * within a minute, stops them all and rejects.
 */
export async function launch(options: LaunchOptions): Promise<Launched> {
  const webPorts = [options.port];
  while (webPorts.length < (options.webs ?? 1)) {
    const port = await freePort();
    if (!webPorts.includes(port)) webPorts.push(port);
  }
  const webUrls = webPorts.map((port) => `http://127.0.0.1:${port}`);
  // tsx finds the path aliases (~/) in the tsconfig of its working directory, which may be another.
  const env = { ...options.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json") };

  let stopping = false;
  const listeners: ((name: string, code: number | null) => void)[] = [];
  const processes: Launched["processes"] = [];
  // Node runs each entry itself (no npx or tsx wrapper process), so SIGTERM reaches the process that
  // must close cleanly, and nothing is left running after stop().
  const run = (name: string, args: string[], own: Record<string, string> = {}) => {
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
    return run(
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
    run(
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
  };

  try {
    await Promise.all(webUrls.map((url, i) => waitForWeb(`${url}${options.readyPath}`, webs[i], 60_000)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { webUrls, processes, startWorker, stop, onExit: (listener) => listeners.push(listener) };
}

import type { ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Queue, type JobType } from "bullmq";
import sharp from "sharp";
import { startStack, type Stack } from "../demo-stack.ts";
import { seedShop } from "../emulator/demo-store.ts";
import type { Emulator } from "../emulator/index.ts";
import { ensureDemoPhotos, type DemoPhoto } from "../emulator/photos.ts";
import { productAnswer, startGeminiModelFake, type GeminiModelFake } from "../../test/fakes/gemini-fake.ts";
import { startGeminiBatchFake, type GeminiBatchFake } from "../../test/fakes/gemini-batch-fake.ts";
import type { DatabaseKind } from "../../test/db.ts";
import { ShopClient } from "./client.ts";
import { createChaosDatabase, type ChaosDatabase } from "./database.ts";
import { startTcpProxy, type TcpProxy } from "./proxy.ts";
import { startPrivateRedis, type PrivateRedis } from "./redis.ts";
import { freePort, sleep, waitUntil } from "./util.ts";

/**
 * What the harness runs the app with: the settings the fixes read, shortened so that a scenario takes
 * seconds. MEDIA_POLL_TIMEOUT_SECONDS is the one setting the app does not read yet (see the README).
 */
export const TIMINGS = {
  RECONCILE_INTERVAL_SECONDS: 2,
  JOB_STUCK_SECONDS: 30,
  WORKER_SHUTDOWN_SECONDS: 3,
  MEDIA_POLL_TIMEOUT_SECONDS: 3,
  GEMINI_BATCH_POLL_SECONDS: 0.5,
};

export const QUEUE_NAME = "studio";
/** The demo catalogue once (nine products) and then some: scenario 7's bulk request takes ten. */
const PRODUCTS_PER_SHOP = 12;
/** Queue entries that will still run: a row with one of these is not lost. */
export const LIVE_STATES: JobType[] = ["waiting", "active", "delayed", "prioritized", "waiting-children"];

export interface QueueEntry {
  id: string;
  name: string;
  state: string;
  data: { kind?: string; shop?: string; jobId?: string; outputIds?: string[] };
  failedReason?: string;
}

interface LogLine {
  name: string;
  line: string;
  at: number;
}

/**
 * The app as the chaos harness runs it: the demo stack (emulator in this process, the built web app,
 * workers as child processes) on the run's own database and a private Redis behind a proxy, with the
 * Gemini fake as the paid provider. Workers get the fast segmentation stand-in (fast-segmentation.ts).
 */
export class ChaosStack {
  readonly logs: LogLine[] = [];
  private readonly partial = new Map<string, string>();

  private constructor(
    readonly kind: DatabaseKind,
    readonly stack: Stack,
    readonly gemini: GeminiModelFake,
    /** Google's Batch API (economy bulk), on the same base URL as the model. */
    readonly geminiBatches: GeminiBatchFake,
    /** Which requests of a Google batch fail (by their index in the batch); scenarios set it. */
    readonly batchFailures: Set<number>,
    readonly redis: PrivateRedis,
    readonly redisProxy: TcpProxy,
    readonly db: ChaosDatabase,
    readonly queue: Queue,
    readonly storageDir: string,
    private readonly logFile: string,
    private readonly photos: Map<string, DemoPhoto>,
  ) {}

  /** `name` tells apart the stacks of one database (a scenario with its own `env` gets its own stack). */
  static async start(kind: DatabaseKind, runDir: string, opts: { name?: string; env?: Record<string, string> } = {}): Promise<ChaosStack> {
    const stackName = opts.name ? `${kind}-${opts.name}` : kind;
    const dir = path.join(runDir, stackName);
    mkdirSync(dir, { recursive: true });
    const logFile = path.join(runDir, `processes-${stackName}.log`);
    // Google's Batch API beside the model: requests the model fake does not answer itself go on to it.
    const batchFailures = new Set<number>();
    const geminiBatches = await startGeminiBatchFake(
      async ({ request }, index) =>
        batchFailures.has(index)
          ? { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } }
          : { response: (await productAnswer(request)).body },
      { apiKey: "fake" },
    );
    const gemini = await startGeminiModelFake({ forward: geminiBatches.url });
    const redis = await startPrivateRedis(dir);
    const redisProxy = await startTcpProxy(redis.port);
    const db = await createChaosDatabase(kind, dir);
    const queuePrefix = `chaos-${stackName}`;
    // Lines a process prints before the stack object exists are kept in `early` and recorded once it does.
    const sink: { stack?: ChaosStack } = {};
    const early: [string, string][] = [];
    const stack = await startStack({
      port: await freePort(),
      storageDir: dir,
      queuePrefix,
      databaseUrl: db.appUrl,
      // READY almost at once, so a publish takes one poll; the scenarios that need slow processing hold it.
      emulator: { mediaProcessingMs: 10 },
      workerNodeOptions: ["--import", "./scripts/chaos/segmentation-hook.ts"],
      env: {
        REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
        GEMINI_API_KEY: "fake",
        GEMINI_API_BASE_URL: gemini.url,
        WORKER_CONCURRENCY: "2",
        // The issue-9 scenarios use the settings' cap on the Gemini fake; the billing scenario (19) has a
        // stack of its own with BILLING=shopify (its `env`).
        BILLING: "off",
        // The paid provider's shared limits: two requests at once for the whole cluster (scenario 17
        // runs two workers against it), a pace quick enough not to slow the scenarios, and a killed
        // worker's place back after 2 s.
        GEMINI_CONCURRENCY: "2",
        GEMINI_RPM: "600",
        PROVIDER_LEASE_SECONDS: "2",
        ...Object.fromEntries(Object.entries(TIMINGS).map(([key, value]) => [key, String(value)])),
        ...opts.env,
      },
      output: (name, text) => (sink.stack ? sink.stack.record(name, text) : early.push([name, text])),
    });
    const queue = new Queue(QUEUE_NAME, { connection: redis.client, prefix: queuePrefix });
    // Redis goes away on purpose in some scenarios; the harness's reads wait for it to come back.
    queue.on("error", () => {});
    const self = new ChaosStack(
      kind,
      stack,
      gemini,
      geminiBatches,
      batchFailures,
      redis,
      redisProxy,
      db,
      queue,
      dir,
      logFile,
      await smallDemoPhotos(path.join(dir, "photos")),
    );
    sink.stack = self;
    for (const [name, text] of early) self.record(name, text);
    await self.waitForLog(/\[worker\] ready/, { name: "worker", timeoutMs: 60_000 });
    return self;
  }

  get emulator(): Emulator {
    return this.stack.emulator;
  }

  get appUrl(): string {
    return this.stack.appUrl;
  }

  get web(): ChildProcess {
    return this.stack.processes.find((p) => p.name === "web")!.child;
  }

  private record(name: string, text: string) {
    const lines = ((this.partial.get(name) ?? "") + text).split("\n");
    this.partial.set(name, lines.pop() ?? "");
    for (const line of lines) {
      this.logs.push({ name, line, at: Date.now() });
      appendFileSync(this.logFile, `${new Date().toISOString()} [${name}] ${line}\n`);
    }
  }

  /** A marker in the processes' log, for the reader of processes-<db>.log. */
  note(text: string) {
    appendFileSync(this.logFile, `${new Date().toISOString()} [chaos] ${text}\n`);
  }

  async waitForLog(pattern: RegExp, opts: { name?: string | RegExp; since?: number; timeoutMs?: number } = {}): Promise<LogLine> {
    const since = opts.since ?? 0;
    const matchesName = (name: string) =>
      opts.name === undefined || (typeof opts.name === "string" ? name === opts.name : opts.name.test(name));
    return waitUntil(
      `a log line matching ${pattern}`,
      async () => this.logs.slice(since).find((l) => matchesName(l.name) && pattern.test(l.line)),
      opts.timeoutMs ?? 30_000,
      50,
    );
  }

  liveWorkers(): { name: string; child: ChildProcess }[] {
    return this.stack.processes.filter((p) => p.name.startsWith("worker") && p.child.exitCode === null && !p.child.signalCode);
  }

  /** A fresh worker process, once it says it is ready. */
  async startWorker(): Promise<ChildProcess> {
    const since = this.logs.length;
    const child = this.stack.startWorker();
    const name = this.stack.processes.find((p) => p.child === child)!.name;
    await this.waitForLog(/\[worker\] ready/, { name, since, timeoutMs: 60_000 });
    return child;
  }

  /** Sends `signal` and waits for the exit; gives the time it took, or null if it did not exit in time. */
  async signal(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode) return 0;
    const started = Date.now();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    return done ? Date.now() - started : null;
  }

  async killWorkers(): Promise<void> {
    await Promise.all(this.liveWorkers().map(({ child }) => this.signal(child, "SIGKILL")));
  }

  /**
   * Moves BullMQ's clock on for jobs whose worker is dead: their locks expire and the stall check that
   * would have run meanwhile has marked them, as Redis would look after lockDuration (120 s) and
   * stalledInterval (30 s). The next worker's start-up stall check then finds them, as it would after
   * waiting. Only with no live worker, whose locks this would break.
   */
  async fastForwardStalls(): Promise<void> {
    if (this.liveWorkers().length > 0) throw new Error("fastForwardStalls needs every worker stopped");
    const client = this.redis.client;
    const key = (suffix: string) => `${this.queue.opts.prefix}:${QUEUE_NAME}:${suffix}`;
    const active = await client.lrange(key("active"), 0, -1);
    for (const id of active) {
      await client.del(key(`${id}:lock`));
      await client.sadd(key("stalled"), id);
    }
    await client.del(key("stalled-check"));
  }

  /** Back to one live worker, for the next scenario. */
  async normaliseWorkers(): Promise<void> {
    const live = this.liveWorkers();
    for (const { child } of live.slice(1)) {
      if ((await this.signal(child, "SIGTERM", 8_000)) === null) await this.signal(child, "SIGKILL");
    }
    if (live.length === 0) {
      await this.fastForwardStalls();
      await this.startWorker();
    }
  }

  /** A new store in the emulator with the demo catalogue (in small photos), and a client for it. */
  async addShop(
    name: string,
    settings: { monthlyCap?: number; provider?: string; publishMode?: string; economyBulk?: boolean } = {},
  ): Promise<ShopClient> {
    const shop = `${name}-${this.kind}.myshopify.com`;
    this.emulator.addShop(shop);
    seedShop(this.emulator.state, this.emulator.state.shops.get(shop)!, this.photos, { productCount: PRODUCTS_PER_SHOP });
    if (Object.keys(settings).length) {
      await this.db.prisma.shopSettings.upsert({ where: { shop }, create: { shop, ...settings }, update: settings });
    }
    return new ShopClient(this.appUrl, shop, this.stack.apiSecret);
  }

  async queueEntries(types: JobType[] = LIVE_STATES): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    for (const type of types) {
      for (const job of await this.queue.getJobs([type])) {
        if (!job?.id) continue;
        entries.push({ id: job.id, name: job.name, state: type, data: job.data as QueueEntry["data"], failedReason: job.failedReason });
      }
    }
    return entries;
  }

  async close(): Promise<void> {
    await this.gemini.close();
    await this.geminiBatches.close();
    await this.stack.stop();
    await this.queue.close().catch(() => {});
    await this.redisProxy.close();
    await this.redis.stop();
    await this.db.drop();
  }
}

/**
 * The demo photos at 1200 px on their longer side: large enough that the product passes the
 * marketplaces' 1000 px minimum (so auto-publish is not held for low resolution), small enough to keep
 * each generative job around a second on two busy cores. The scenarios are about what happens around a
 * job, not about the image.
 */
export async function smallDemoPhotos(dir: string, longSide = 1200): Promise<Map<string, DemoPhoto>> {
  mkdirSync(dir, { recursive: true });
  const small = new Map<string, DemoPhoto>();
  for (const photo of (await ensureDemoPhotos()).values()) {
    const file = path.join(dir, `${photo.key}.jpg`);
    const info = await sharp(photo.path).rotate().resize(longSide, longSide, { fit: "inside" }).jpeg({ quality: 85 }).toFile(file);
    small.set(photo.key, { ...photo, path: file, width: info.width, height: info.height, fileSize: info.size });
  }
  return small;
}

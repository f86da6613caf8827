// The demo stack: the local Admin API emulator (with its demo store), a migrated SQLite database, the
// built web app and the worker, wired with the demo settings and the offline `local` provider. Used by
// `npm run demo` and by the browser tests, chaos and benches, so they all run exactly the same thing.
// This file holds the demo's choices; building and running the processes are scripts/stack/'s.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startEmulator, DEMO_SHOP, type Emulator, type EmulatorOptions } from "./emulator/index.ts";
import { migrate } from "./migrate.ts";
import { buildIfStale } from "./stack/build.ts";
import { launch, type Launched, type LaunchOptions } from "./stack/launch.ts";

const DEMO_API_KEY = "demo-api-key";

export interface StackOptions extends Pick<
  LaunchOptions,
  "port" | "webs" | "workers" | "workerNodeOptions" | "output" | "quiet" | "perProcess"
> {
  /** The database, and the files unless `storageEnv` says otherwise. */
  storageDir: string;
  /** STORAGE_URL and the AWS SDK's variables, for object storage; a folder under storageDir by default. */
  storageEnv?: Record<string, string>;
  queuePrefix: string;
  emulatorPort?: number;
  emulator?: EmulatorOptions;
  log?: (message: string) => void;
  /** Default: a SQLite file in `storageDir`. Migrated before the processes start. */
  databaseUrl?: string;
  /** Set for the web and worker processes after the demo settings (a provider, Redis, timings). */
  env?: Record<string, string>;
}

export interface Stack extends Launched {
  /** The first web process's URL. */
  appUrl: string;
  emulator: Emulator;
  databaseUrl: string;
  /** The app secret the processes were given: session tokens and webhook HMACs are signed with it. */
  apiSecret: string;
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

  const appUrl = `http://127.0.0.1:${options.port}`;
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

  let launched: Launched;
  try {
    // Up once every web process serves the demo's App Bridge stand-in (a route of demo mode only).
    launched = await launch({
      port: options.port,
      webs: options.webs,
      workers: options.workers,
      env,
      readyPath: "/demo/app-bridge.js",
      workerNodeOptions: options.workerNodeOptions,
      output: options.output,
      quiet: options.quiet,
      perProcess: options.perProcess,
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    ...launched,
    appUrl,
    emulator,
    databaseUrl,
    apiSecret,
    stop: async () => {
      await launched.stop();
      await emulator.close();
    },
  };
}

import { AsyncLocalStorage } from "node:async_hooks";
import { pino, type DestinationStream, type Logger } from "pino";

// The one logger of the web and worker processes: one JSON object a line on stdout (pino), so a log
// collector can filter by shop, job or level. Each line carries the fields of the context it was
// written in (withLogContext: the worker's processors set the shop and job there, so every line a job
// writes, down to an Admin API retry, says which shop and job it was), and secrets are censored by key
// before the line is written. LOG_LEVEL sets the level (default info); LOG_FORMAT=pretty prints one
// readable line instead of JSON (the demo does).

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LEVELS)[number];
export const LOG_LEVELS = LEVELS;

/**
 * Keys whose values never reach a log line, wherever they are in the logged object (up to three levels
 * deep: the object, its properties, theirs). Header names are written as Node gives them (lower case).
 */
const SECRET_KEYS = [
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "id_token",
  "sessionToken",
  "token",
  "apiKey",
  "api_key",
  "apiSecret",
  "secret",
  "clientSecret",
  "client_secret",
  "password",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "x-shopify-access-token",
  "X-Shopify-Access-Token",
  "x-goog-api-key",
  "SHOPIFY_API_SECRET",
  "TOKEN_ENCRYPTION_KEY",
  "TOKEN_ENCRYPTION_KEY_PREVIOUS",
  "GEMINI_API_KEY",
  "NANO_BANANA_API_KEY",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (part.startsWith("[") ? `${prefix}${part}` : `${prefix}.${part}`);
    paths.push(part, join("*"), join("*.*"));
  }
  return paths;
}

export const REDACTED = "[redacted]";

const context = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `work` with `fields` (shop, jobId, …) on every line logged inside it, however deep. */
export function withLogContext<T>(fields: Record<string, unknown>, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

const pretty = process.env.LOG_FORMAT === "pretty";
/** Where lines go: stdout, synchronously (a line written just before process.exit is not lost). */
let sink: (line: string) => void = (line) => process.stdout.write(pretty ? prettyLine(line) : line);

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** `12:00:01.234 WARN  [worker] message shop=… jobId=…`: for people reading a terminal. */
export function prettyLine(json: string): string {
  const { level, time, msg, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const at = new Date(Number(time)).toISOString().slice(11, 23);
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${at} ${(LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5)} ${typeof msg === "string" ? msg : ""}${rest ? ` ${rest}` : ""}\n`;
}

const destination: DestinationStream = { write: (line: string) => sink(line) };

function level(): LogLevel {
  const value = process.env.LOG_LEVEL;
  return (LEVELS as readonly string[]).includes(value ?? "") ? (value as LogLevel) : "info";
}

export const logger: Logger = pino(
  {
    level: level(),
    base: { pid: process.pid },
    redact: { paths: redactPaths(), censor: REDACTED },
    // pino's serializer for errors (message, type, stack, own properties) under either name.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    mixin: () => context.getStore() ?? {},
  },
  destination,
);

/** Tests: sends every line (JSON) to `next` instead; gives back the sink it replaced. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}

/** Tests: collects the lines written while `work` runs (parsed), instead of printing them. */
export async function captureLogs<T>(work: (lines: Record<string, unknown>[]) => Promise<T> | T): Promise<T> {
  const lines: Record<string, unknown>[] = [];
  const previous = setLogSink((line) => void lines.push(JSON.parse(line) as Record<string, unknown>));
  try {
    return await work(lines);
  } finally {
    sink = previous;
  }
}

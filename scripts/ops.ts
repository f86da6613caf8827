// `npm run ops`: what an operator asks first, from the same environment as the web and the worker
// (DATABASE_URL, REDIS_URL, QUEUE_PREFIX; .env is read as `npm start` reads it).
//
//   queues     every queue under QUEUE_PREFIX (found in Redis, so queues added later are listed too):
//              entries by state, the oldest waiting entry's age, and BullMQ's metrics for the last hour
//   failures   jobs and publishes that failed in the last hour, by error code (the database)
//   providers  images made per hour and provider over the last 24 h: latency p50/p95 and spend
//   throttled  shops whose shared Admin API bucket (the pacer's state in Redis) is nearly empty
//
//   npm run ops [-- --hours 24] [--json]
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { prisma } from "~/infra/db.server";
import { readPacerStates, type PacerState } from "~/shopify/throttle.server";

const STATES = ["waiting", "prioritized", "active", "delayed", "waiting-children", "completed", "failed"] as const;
/** A bucket below this share of its size makes calls wait: the shop is being throttled. */
const THROTTLED_BELOW = 0.1;
/** The oldest waiting entry is looked for among at most this many (an ops command must stay quick). */
const OLDEST_SCAN_LIMIT = 10_000;

export interface QueueReport {
  name: string;
  counts: Record<(typeof STATES)[number], number>;
  oldestWaitingSeconds: number | null;
  lastHour: { completed: number; failed: number };
}

export interface FailureRow {
  source: "job" | "publish";
  code: string;
  count: number;
  shops: number;
}

export interface ProviderHour {
  hour: string;
  provider: string;
  images: number;
  p50Ms: number | null;
  p95Ms: number | null;
  spendUsd: number;
}

export interface OpsReport {
  at: string;
  prefix: string;
  queues: QueueReport[];
  failures: FailureRow[];
  providers: ProviderHour[];
  throttled: PacerState[];
}

/** Queue names under `prefix`: every queue BullMQ has written its meta key for. */
async function queueNames(redis: Redis, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*:meta`, "COUNT", 500);
    cursor = next;
    for (const key of keys) names.add(key.slice(prefix.length + 1, -":meta".length));
  } while (cursor !== "0");
  return [...names].sort();
}

async function queueReport(redis: Redis, prefix: string, name: string, nowMs: number): Promise<QueueReport> {
  const queue = new Queue(name, { connection: redis, prefix });
  try {
    const counts = (await queue.getJobCounts(...STATES)) as QueueReport["counts"];
    const ids = await queue.getRanges(["waiting", "prioritized"], 0, OLDEST_SCAN_LIMIT - 1);
    let oldest: number | null = null;
    if (ids.length > 0) {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(`${prefix}:${name}:${id}`, "timestamp");
      for (const [, value] of (await pipeline.exec()) ?? []) {
        const at = Number(value);
        if (value != null && Number.isFinite(at)) oldest = oldest === null ? at : Math.min(oldest, at);
      }
    }
    // BullMQ's metrics (the workers keep a week): one count per finished minute, newest first, and the
    // running total, whose part since the last data point is the current minute's.
    const [completed, failed] = await Promise.all(
      (["completed", "failed"] as const).map(async (type) => {
        const { meta, data } = await queue.getMetrics(type, 0, 58);
        const current = Math.max(0, Number(meta.count ?? 0) - Number(meta.prevCount ?? 0));
        return current + data.reduce((a, b) => a + (Number(b) || 0), 0);
      }),
    );
    return {
      name,
      counts,
      oldestWaitingSeconds: oldest === null ? null : Math.max(0, Math.round((nowMs - oldest) / 1000)),
      lastHour: { completed: completed, failed: failed },
    };
  } finally {
    await queue.close();
  }
}

async function failures(since: Date): Promise<FailureRow[]> {
  const [jobs, outputs] = await Promise.all([
    prisma.job.findMany({ where: { status: "failed", finishedAt: { gte: since } }, select: { errorCode: true, shop: true } }),
    prisma.output.findMany({ where: { errorCode: { not: null }, updatedAt: { gte: since } }, select: { errorCode: true, shop: true } }),
  ]);
  const rows: FailureRow[] = [];
  for (const [source, list] of [
    ["job", jobs],
    ["publish", outputs],
  ] as const) {
    const byCode = new Map<string, { count: number; shops: Set<string> }>();
    for (const row of list) {
      const code = row.errorCode ?? "UNKNOWN";
      const group = byCode.get(code) ?? { count: 0, shops: new Set<string>() };
      group.count += 1;
      group.shops.add(row.shop);
      byCode.set(code, group);
    }
    for (const [code, group] of byCode) rows.push({ source, code, count: group.count, shops: group.shops.size });
  }
  return rows.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function providerHours(since: Date): Promise<ProviderHour[]> {
  const rows = await prisma.output.findMany({
    where: { createdAt: { gte: since } },
    select: { createdAt: true, provider: true, providerMs: true, costMicros: true },
  });
  const groups = new Map<string, { hour: string; provider: string; ms: number[]; images: number; micros: number }>();
  for (const row of rows) {
    const hour = `${row.createdAt.toISOString().slice(0, 13)}:00Z`;
    const key = `${hour} ${row.provider}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { hour, provider: row.provider, ms: [], images: 0, micros: 0 }));
    group.images += 1;
    group.micros += row.costMicros;
    if (row.providerMs != null) group.ms.push(row.providerMs);
  }
  return [...groups.values()]
    .sort((a, b) => b.hour.localeCompare(a.hour) || a.provider.localeCompare(b.provider))
    .map((group) => {
      const sorted = group.ms.sort((a, b) => a - b);
      return {
        hour: group.hour,
        provider: group.provider,
        images: group.images,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        spendUsd: group.micros / 1_000_000,
      };
    });
}

export async function collectOps(options: { redis: Redis; prefix: string; hours?: number; now?: Date }): Promise<OpsReport> {
  const now = options.now ?? new Date();
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const names = await queueNames(options.redis, options.prefix);
  const [queues, failed, providers, pacers] = await Promise.all([
    Promise.all(names.map((name) => queueReport(options.redis, options.prefix, name, now.getTime()))),
    failures(hourAgo),
    providerHours(new Date(now.getTime() - (options.hours ?? 24) * 3_600_000)),
    readPacerStates(options.redis, options.prefix),
  ]);
  return {
    at: now.toISOString(),
    prefix: options.prefix,
    queues,
    failures: failed,
    providers,
    throttled: pacers.filter((state) => state.available < state.maximum * THROTTLED_BELOW),
  };
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")).join("\n");
}

function age(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function formatOps(report: OpsReport): string {
  const out: string[] = [`Photo Studio operations, ${report.at} (queue prefix "${report.prefix}")`, ""];
  out.push("Queues");
  out.push(
    report.queues.length === 0
      ? "  (no queue under this prefix)"
      : table(
          ["queue", "waiting", "prioritized", "active", "delayed", "completed", "failed", "oldest waiting", "done/h", "failed/h"],
          report.queues.map((q) => [
            q.name,
            q.counts.waiting,
            q.counts.prioritized,
            q.counts.active,
            q.counts.delayed,
            q.counts.completed,
            q.counts.failed,
            age(q.oldestWaitingSeconds),
            q.lastHour.completed,
            q.lastHour.failed,
          ]),
        ),
  );
  out.push("", "Failures in the last hour, by error code");
  out.push(
    report.failures.length === 0
      ? "  (none)"
      : table(
          ["code", "source", "count", "shops"],
          report.failures.map((f) => [f.code, f.source, f.count, f.shops]),
        ),
  );
  out.push("", "Providers per hour (images made, provider latency, spend)");
  out.push(
    report.providers.length === 0
      ? "  (no images made)"
      : table(
          ["hour (UTC)", "provider", "images", "p50 ms", "p95 ms", "spend USD"],
          report.providers.map((p) => [p.hour, p.provider, p.images, p.p50Ms ?? "-", p.p95Ms ?? "-", p.spendUsd.toFixed(4)]),
        ),
  );
  out.push("", `Shops throttled by Shopify (bucket below ${THROTTLED_BELOW * 100}% of its size)`);
  out.push(
    report.throttled.length === 0
      ? "  (none)"
      : table(
          ["shop", "available", "maximum", "restore/s", "in flight", "full in"],
          report.throttled.map((t) => [
            t.shop,
            Math.floor(t.available),
            t.maximum,
            t.restoreRate,
            t.inFlight,
            age(Math.ceil((t.maximum - t.available) / t.restoreRate)),
          ]),
        ),
  );
  return `${out.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const hoursAt = args.indexOf("--hours");
  const hours = hoursAt >= 0 ? Number(args[hoursAt + 1]) : 24;
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  try {
    const report = await collectOps({ redis, prefix: process.env.QUEUE_PREFIX ?? "studio", hours });
    process.stdout.write(args.includes("--json") ? `${JSON.stringify(report, null, 2)}\n` : formatOps(report));
  } finally {
    redis.disconnect();
    await prisma.$disconnect();
  }
}

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { StudioError } from "../studio/errors";
import type { LimitedProvider, ProviderGate } from "../studio/providers/types";
import { logger } from "./logger.server";

// The paid providers' limits, shared by every worker through Redis: a request waits for its turn in
// the provider's pace (GCRA: one request every 60 000 / RPM ms, no burst, so no minute ever holds more
// than RPM requests however the provider counts its window) and for one of its `concurrency` leases.
// A lease is a member of a sorted set scored by its expiry and renewed while the request runs, so a
// worker killed mid-request gives its place back within PROVIDER_LEASE_SECONDS. A 429 sets the
// provider's "paused until" key for the delay the provider asked for (Retry-After, or Google's
// RetryInfo), every worker's next request waits it out, and the request is asked again: a rate limit
// costs time, never one of the job's attempts. Each check is one Lua script, atomic, on Redis's clock.

export interface ProviderLimit {
  /** Requests per minute, for every worker together. */
  rpm: number;
  /** Requests in flight at once, for every worker together. */
  concurrency: number;
}

export type ProviderLimits = Record<LimitedProvider, ProviderLimit>;

/** Rate-limit answers in a row one request waits out before the error reaches the job (which then retries). */
export const MAX_RATE_LIMITED = 6;
/** The pause after a 429 that named no delay: doubling from here. */
const DEFAULT_PAUSE_MS = 2000;
/** No single pause is longer than this, whatever the provider asked. */
const MAX_PAUSE_MS = 5 * 60_000;
/** How often a request waiting for a free lease asks again (leases are given back without a signal). */
const BUSY_POLL_MS = 50;
const MAX_SLEEP_MS = 1000;

// KEYS: next (the pace's theoretical arrival time), leases (zset), paused. ARGV: interval ms, concurrency, lease id, lease ms.
// Returns {1, 0} with the lease taken, or {0, ms}: wait that long (-1: wait for a lease to be given back).
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return {0, paused} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return {0, -1} end
local interval = tonumber(ARGV[1])
local next = tonumber(redis.call('GET', KEYS[1]) or '0')
if next > now then return {0, next - now} end
redis.call('SET', KEYS[1], now + interval, 'PX', interval + 60000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) * 2)
return {1, 0}
`;

// KEYS: leases. ARGV: lease id, lease ms. Only a lease still held is extended (one that expired is gone).
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return renewed
`;

// KEYS: paused. ARGV: ms. A pause only ever grows: a shorter hint from a second 429 does not cut it short.
const PAUSE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1])) end
return redis.call('PTTL', KEYS[1])
`;

interface LimitCommands {
  providerAcquire(
    next: string,
    leases: string,
    paused: string,
    interval: number,
    concurrency: number,
    lease: string,
    leaseMs: number,
  ): Promise<[number, number]>;
  providerRenew(leases: string, lease: string, leaseMs: number): Promise<number>;
  providerPause(paused: string, ms: number): Promise<number>;
}

export function limitKeys(prefix: string, provider: LimitedProvider) {
  const base = `${prefix}:limits:${provider}`;
  return { next: `${base}:next`, leases: `${base}:leases`, paused: `${base}:paused` };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StudioError("CANCELLED", "The job was cancelled."));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new StudioError("CANCELLED", "The job was cancelled."));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RedisGateOptions {
  redis: Redis;
  prefix: string;
  limits: ProviderLimits;
  /** How long a lease lasts without renewal: a killed worker's place comes back after this. */
  leaseMs: number;
  log?: (message: string) => void;
}

export function createRedisGate(options: RedisGateOptions): ProviderGate {
  const { prefix, limits, leaseMs } = options;
  const log = options.log ?? ((message: string) => logger.warn(message));
  if (!("providerAcquire" in options.redis)) {
    options.redis.defineCommand("providerAcquire", { numberOfKeys: 3, lua: ACQUIRE });
    options.redis.defineCommand("providerRenew", { numberOfKeys: 1, lua: RENEW });
    options.redis.defineCommand("providerPause", { numberOfKeys: 1, lua: PAUSE });
  }
  const redis = options.redis as Redis & LimitCommands;

  async function acquire(provider: LimitedProvider, signal: AbortSignal | undefined): Promise<string> {
    const keys = limitKeys(prefix, provider);
    const { rpm, concurrency } = limits[provider];
    const lease = randomUUID();
    let failures = 0;
    for (;;) {
      let answer: [number, number];
      try {
        answer = await redis.providerAcquire(keys.next, keys.leases, keys.paused, 60_000 / rpm, concurrency, lease, leaseMs);
        failures = 0;
      } catch (error) {
        // Without Redis no worker can count its requests: wait for it a little, then let the job retry.
        if (++failures >= 10) {
          throw new StudioError("PROVIDER_UNAVAILABLE", "The image service is temporarily unavailable. We'll try again shortly.", {
            cause: error,
            detail: `provider limits unavailable: ${(error as Error).message}`,
          });
        }
        await sleep(500, signal);
        continue;
      }
      const [taken, wait] = answer;
      if (taken === 1) return lease;
      // Asked again at least every second: a pause lifted early (by an operator deleting the key) is seen.
      await sleep(wait < 0 ? BUSY_POLL_MS * (0.5 + Math.random()) : Math.min(MAX_SLEEP_MS, Math.max(1, wait)), signal);
    }
  }

  return {
    async run(provider, signal, call) {
      const keys = limitKeys(prefix, provider);
      for (let limited = 0; ; limited++) {
        const lease = await acquire(provider, signal);
        const renew = setInterval(() => {
          redis.providerRenew(keys.leases, lease, leaseMs).catch(() => {});
        }, leaseMs / 3);
        try {
          return await call();
        } catch (error) {
          const rateLimited = error instanceof StudioError && error.code === "PROVIDER_RATE_LIMITED";
          if (!rateLimited || limited + 1 >= MAX_RATE_LIMITED || signal?.aborted) throw error;
          const ms = Math.min(MAX_PAUSE_MS, error.retryAfterMs ?? DEFAULT_PAUSE_MS * 2 ** limited);
          const paused = await redis.providerPause(keys.paused, Math.max(1, Math.round(ms))).catch(() => ms);
          log(`[limits] ${provider} answered 429: every worker waits ${Math.ceil(paused / 1000)} s before its next request`);
        } finally {
          clearInterval(renew);
          // Not awaited: the answer is paid for and must not wait on bookkeeping (a Redis that stopped
          // answering would hold it for ever). Commands keep their order on the connection, so the place is
          // given back before this worker asks for the next; if it never arrives, the lease expires by itself.
          void redis.zrem(keys.leases, lease).catch(() => {});
        }
      }
    },
  };
}

let connection: Redis | undefined;
let shared: ProviderGate | undefined;

/**
 * The app's gate, on a connection of its own made at the first paid request (the web process, which
 * makes none, never opens it). A command fails after a few reconnection tries instead of waiting for
 * ever, so a job waiting for its turn is not stuck behind a Redis that went away.
 */
export function appProviderGate(settings: { redisUrl: string; prefix: string; limits: ProviderLimits; leaseMs: number }): ProviderGate {
  return {
    run: (provider, signal, call) => {
      if (!shared) {
        connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: 2, retryStrategy: (times) => Math.min(times * 200, 1000) });
        connection.on("error", () => {});
        shared = createRedisGate({ redis: connection, prefix: settings.prefix, limits: settings.limits, leaseMs: settings.leaseMs });
      }
      return shared.run(provider, signal, call);
    },
  };
}

export function closeProviderLimits(): void {
  connection?.disconnect();
  connection = undefined;
  shared = undefined;
}

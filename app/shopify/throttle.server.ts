import type { Redis } from "ioredis";
import { logger } from "~/infra/logger.server";

/**
 * Paces Admin API calls to a shop's cost bucket (Shopify's leaky bucket: `maximumAvailable` points,
 * refilled at `restoreRate` points per second), shared by every process through Redis.
 *
 * The estimate is the last `throttleStatus` Shopify reported, restored for the time since, minus the
 * points reserved by requests still in flight anywhere. A request waits until its expected cost fits,
 * then reserves it; its answer replaces the estimate with Shopify's figure. In-flight reservations
 * expire on their own, so a process that dies mid-request cannot hold points forever.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface Pacer {
  /** Milliseconds to wait before trying again, or 0 when `cost` points were reserved under `requestId`. */
  reserve(shop: string, requestId: string, cost: number): Promise<number>;
  /** Shopify's answer to `requestId`: the bucket as it is now; the request's reservation is released. */
  record(shop: string, requestId: string, status: ThrottleStatus | undefined): Promise<void>;
}

/** How long a reservation may be held: longer than any request's timeout. */
const RESERVATION_TTL_MS = 60_000;
/** After this long without traffic the bucket is certainly full again, so the key can go. */
const STATE_TTL_MS = 120_000;

/**
 * Where the pacing state is shared: a Redis connection and the environment's key prefix (QUEUE_PREFIX),
 * so that two environments on one Redis (staging and production, two test runs) never pace each other.
 */
export interface SharedPacing {
  redis: Redis;
  prefix: string;
}

/** A shop's pacing keys: the bucket's state (a hash) and the reservations in flight (a sorted set). */
export function pacerKeys(prefix: string, shop: string): [state: string, inflight: string] {
  return [`${prefix}:throttle:${shop}`, `${prefix}:throttle:${shop}:inflight`];
}

export function createPacer(shared?: SharedPacing, log: (message: string) => void = (message) => logger.warn(message)): Pacer {
  return shared ? createFallbackPacer(createRedisPacer(shared), createMemoryPacer(), shared.redis, log) : createMemoryPacer();
}

/**
 * The Redis pacer while Redis answers; in-process pacing while it does not, so that pages and jobs go
 * on (each process then keeps to the bucket on its own) instead of failing on a pacing error. Every
 * answer also feeds the in-process pacer, so it starts from Shopify's last figure. Redis is tried again
 * as soon as its connection is back. Neither method ever throws: a pacing failure must not lose a
 * request, nor a successful answer that was already received.
 */
function createFallbackPacer(shared: Pacer, local: Pacer, redis: Redis, log: (message: string) => void): Pacer {
  let usingLocal = false;
  const switchTo = (local: boolean, reason: string) => {
    if (usingLocal === local) return;
    usingLocal = local;
    log(
      local
        ? `[pacer] Redis is unavailable (${reason}); pacing Admin API calls in this process`
        : "[pacer] Redis is back; pacing through Redis again",
    );
  };
  // While ioredis is reconnecting a command would only wait and fail; a fresh connection is tried.
  const redisReady = () => !["reconnecting", "close", "end"].includes(redis.status);
  return {
    async reserve(shop, requestId, cost) {
      if (redisReady()) {
        try {
          const waitMs = await shared.reserve(shop, requestId, cost);
          switchTo(false, "");
          return waitMs;
        } catch (error) {
          switchTo(true, (error as Error).message);
        }
      } else {
        switchTo(true, `connection ${redis.status}`);
      }
      return local.reserve(shop, requestId, cost);
    },
    async record(shop, requestId, status) {
      await local.record(shop, requestId, status);
      if (!redisReady()) return;
      try {
        await shared.record(shop, requestId, status);
      } catch (error) {
        // The reservation in Redis expires by itself; the answer is kept.
        switchTo(true, (error as Error).message);
      }
    },
  };
}

// KEYS: state hash, in-flight sorted set (score = expiry, member = "id|cost"). Server time keeps
// processes on different machines in agreement.
const READ_NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const RESERVE_SCRIPT = `${READ_NOW}
local cost = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'available', 'maximum', 'rate', 'at')
if not s[1] then return 0 end
local maximum = tonumber(s[2])
local rate = tonumber(s[3])
local available = math.min(maximum, tonumber(s[1]) + (now - tonumber(s[4])) * rate / 1000)
local need = math.min(cost, maximum)
if available < need then return math.ceil((need - available) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'available', tostring(available - need), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ${STATE_TTL_MS})
redis.call('ZADD', KEYS[2], now + ${RESERVATION_TTL_MS}, ARGV[1] .. '|' .. tostring(need))
redis.call('PEXPIRE', KEYS[2], ${RESERVATION_TTL_MS})
return 0
`;

const RECORD_SCRIPT = `${READ_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local members = redis.call('ZRANGE', KEYS[2], 0, -1)
local held = 0
for _, member in ipairs(members) do
  local id, cost = string.match(member, '^(.*)|([^|]*)$')
  if id == ARGV[1] then redis.call('ZREM', KEYS[2], member) else held = held + tonumber(cost) end
end
if ARGV[2] == '' then return 0 end
local maximum = tonumber(ARGV[3])
local available = math.min(maximum, tonumber(ARGV[2])) - held
redis.call('HSET', KEYS[1], 'available', tostring(available), 'maximum', ARGV[3], 'rate', ARGV[4], 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ${STATE_TTL_MS})
return 0
`;

function createRedisPacer({ redis, prefix }: SharedPacing): Pacer {
  const keys = (shop: string) => pacerKeys(prefix, shop);
  return {
    async reserve(shop, requestId, cost) {
      return Number(await redis.eval(RESERVE_SCRIPT, 2, ...keys(shop), requestId, String(cost)));
    },
    async record(shop, requestId, status) {
      const args = status ? [String(status.currentlyAvailable), String(status.maximumAvailable), String(status.restoreRate)] : ["", "", ""];
      await redis.eval(RECORD_SCRIPT, 2, ...keys(shop), requestId, ...args);
    },
  };
}

interface MemoryBucket {
  available: number;
  maximum: number;
  rate: number;
  at: number;
}

/** The same bookkeeping for a single process (no Redis: tests, scripts, one-machine setups). */
function createMemoryPacer(): Pacer {
  const buckets = new Map<string, MemoryBucket>();
  const inflight = new Map<string, Map<string, { cost: number; expiresAt: number }>>();
  const inflightOf = (shop: string) => {
    let held = inflight.get(shop);
    if (!held) inflight.set(shop, (held = new Map()));
    return held;
  };
  return {
    async reserve(shop, requestId, cost) {
      const bucket = buckets.get(shop);
      if (!bucket) return 0;
      const now = Date.now();
      const available = Math.min(bucket.maximum, bucket.available + ((now - bucket.at) * bucket.rate) / 1000);
      const need = Math.min(cost, bucket.maximum);
      if (available < need) return Math.ceil(((need - available) * 1000) / bucket.rate);
      Object.assign(bucket, { available: available - need, at: now });
      inflightOf(shop).set(requestId, { cost: need, expiresAt: now + RESERVATION_TTL_MS });
      return 0;
    },
    async record(shop, requestId, status) {
      const now = Date.now();
      const held = inflightOf(shop);
      held.delete(requestId);
      let others = 0;
      for (const [id, reservation] of held) {
        if (reservation.expiresAt <= now) held.delete(id);
        else others += reservation.cost;
      }
      if (!status) return;
      buckets.set(shop, {
        available: Math.min(status.maximumAvailable, status.currentlyAvailable) - others,
        maximum: status.maximumAvailable,
        rate: status.restoreRate,
        at: now,
      });
    },
  };
}

export interface PacerState {
  shop: string;
  /** Points Shopify's bucket has now, by the last answer restored for the time since (reservations in flight already taken off). */
  available: number;
  maximum: number;
  restoreRate: number;
  /** Points reserved by requests still in flight, in any process. */
  inFlight: number;
}

/**
 * Every shop's shared bucket as the pacer sees it now, from Redis (for `npm run ops`): SCAN, never KEYS,
 * so a Redis with many shops is not blocked. Server time, as the scripts use.
 */
export async function readPacerStates(redis: Redis, prefix: string): Promise<PacerState[]> {
  const [statePrefix] = pacerKeys(prefix, "");
  const [seconds, micros] = (await redis.time()) as [number | string, number | string];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const states: PacerState[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${statePrefix}*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      if (key.endsWith(":inflight")) continue;
      const shop = key.slice(statePrefix.length);
      const [available, maximum, rate, at] = await redis.hmget(key, "available", "maximum", "rate", "at");
      if (available == null || maximum == null || rate == null || at == null) continue;
      const held = await redis.zrangebyscore(`${key}:inflight`, now, "+inf");
      const inFlight = held.reduce((sum, member) => sum + Number(member.slice(member.lastIndexOf("|") + 1)), 0);
      states.push({
        shop,
        available: Math.min(Number(maximum), Number(available) + ((now - Number(at)) * Number(rate)) / 1000),
        maximum: Number(maximum),
        restoreRate: Number(rate),
        inFlight,
      });
    }
  } while (cursor !== "0");
  return states.sort((a, b) => a.available / a.maximum - b.available / b.maximum);
}

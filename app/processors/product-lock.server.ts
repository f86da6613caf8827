import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { ProductLock } from "~/shopify/publish.server";

// A lock in Redis shared by every worker: SET NX PX with a random token, renewed while held, released
// only by its holder (the Lua scripts act only while the key still holds the token, so a holder whose
// lock expired never touches the next one's). When its holder dies it expires on its own. When it cannot
// be renewed it counts as lost a renewal before it would expire, and the work it guards is aborted.
//
// Not redis-semaphore 5.8: a Redis error during its automatic refresh escapes from its setInterval as an
// unhandled rejection (tried here: kill Redis while a Mutex is held), which would shut a worker down on
// a Redis blip.

const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LockTimings {
  /** How long the lock lives without renewal: how long a dead holder blocks the product. */
  ttlMs: number;
  renewMs: number;
  /** How long to wait for another holder before giving up (a transient failure: the job is retried). */
  waitMs: number;
}

export const DEFAULT_LOCK_TIMINGS: LockTimings = { ttlMs: 30_000, renewMs: 10_000, waitMs: 120_000 };

/** `signal` (the queue job's) stops the wait for another holder, as a shutdown deadline does. */
export function createLock(redis: Redis, key: string, timings: LockTimings = DEFAULT_LOCK_TIMINGS, signal?: AbortSignal): ProductLock {
  return async (work) => {
    const token = randomUUID();
    const deadline = Date.now() + timings.waitMs;
    let heldUntil: number;
    for (;;) {
      signal?.throwIfAborted();
      const askedAt = Date.now();
      if ((await redis.set(key, token, "PX", timings.ttlMs, "NX")) === "OK") {
        heldUntil = askedAt + timings.ttlMs;
        break;
      }
      if (Date.now() >= deadline)
        throw new Error(`Another change to this product's images has held it for over ${Math.round(timings.waitMs / 1000)} s.`);
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }

    const lost = new AbortController();
    let renewing = false;
    const renew = async () => {
      if (renewing || lost.signal.aborted) return;
      renewing = true;
      const askedAt = Date.now();
      try {
        if (Number(await redis.eval(EXTEND, 1, key, token, String(timings.ttlMs))) === 1) heldUntil = askedAt + timings.ttlMs;
        else lost.abort(new Error("The product's lock was taken over; nothing more is written."));
      } catch {
        // Redis did not answer: the lock is still ours until heldUntil.
      } finally {
        renewing = false;
      }
      if (!lost.signal.aborted && Date.now() + timings.renewMs >= heldUntil) {
        lost.abort(new Error("The product's lock could not be renewed; nothing more is written."));
      }
    };
    // renew() answers Redis's failures itself; anything else it meets leaves the lock in doubt, so nothing more is written.
    const timer = setInterval(() => {
      renew().catch((error: unknown) => lost.abort(error));
    }, timings.renewMs);
    timer.unref();
    try {
      return await work(lost.signal);
    } finally {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token).catch(() => {});
    }
  };
}

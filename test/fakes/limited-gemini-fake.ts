import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { geminiAnswers, rateLimitedBody } from "./gemini-fake";

/**
 * A Gemini API stand-in with a rate limit of its own, on the wire format @google/genai speaks: a
 * token bucket of `rpm` requests a minute (holding at most `burst`, as providers' limiters allow a
 * little jitter), answering over it what the Gemini API answers, 429 RESOURCE_EXHAUSTED with a
 * google.rpc.RetryInfo `retryDelay`; a gateway's `Retry-After` header can be added. Each request
 * takes `latencyMs`. It records when each request arrived and how many were in flight, so a test can
 * check the limits a cluster of workers kept, and can be told to refuse the next requests outright.
 */
export interface LimitedGeminiFake {
  url: string;
  /** Arrival times (ms, this process's clock) of every request, answered or refused. */
  readonly arrivals: number[];
  /** Arrival times of the requests refused with a 429. */
  readonly refusals: number[];
  readonly answered: number;
  /** The most requests ever in flight at once. */
  readonly maxInFlight: number;
  readonly inFlight: number;
  /** The next `count` requests are refused with a 429 asking for `delayMs` (as RetryInfo, and as Retry-After with `header`). */
  refuseNext(count: number, delayMs: number, options?: { header?: boolean }): void;
  /** From now on requests wait unanswered until release(). */
  hold(): void;
  release(): void;
  reset(): void;
  close(): Promise<void>;
}

export interface LimitedGeminiOptions {
  /** The bucket's refill, in requests per minute; Infinity: no limit of its own. */
  rpm: number;
  burst?: number;
  latencyMs?: number;
  /** The image every answer carries (PNG). */
  image: Buffer;
}

export async function startLimitedGeminiFake(options: LimitedGeminiOptions): Promise<LimitedGeminiFake> {
  const burst = options.burst ?? 2;
  const perMs = options.rpm / 60_000;
  const body = JSON.stringify(geminiAnswers.image(options.image).body);
  let tokens = burst;
  let refilledAt = Date.now();
  let arrivals: number[] = [];
  let refusals: number[] = [];
  let answered = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let refuse: { count: number; delayMs: number; header: boolean } | undefined;
  let holding = false;
  let held: (() => void)[] = [];

  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const now = Date.now();
      arrivals.push(now);
      tokens = Number.isFinite(perMs) ? Math.min(burst, tokens + (now - refilledAt) * perMs) : burst;
      refilledAt = now;
      const refuseThis = refuse && refuse.count > 0 ? refuse : undefined;
      if (refuseThis || tokens < 1) {
        const delayMs = refuseThis?.delayMs ?? Math.ceil((1 - tokens) / perMs);
        if (refuseThis) refuseThis.count -= 1;
        refusals.push(now);
        res.writeHead(429, {
          "content-type": "application/json",
          ...(refuseThis?.header ? { "retry-after": String(Math.ceil(delayMs / 1000)) } : {}),
        });
        res.end(JSON.stringify(rateLimitedBody(delayMs)));
        return;
      }
      tokens -= 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = () =>
        setTimeout(() => {
          inFlight -= 1;
          answered += 1;
          if (res.destroyed) return;
          res.writeHead(200, { "content-type": "application/json" });
          res.end(body);
        }, options.latencyMs ?? 0);
      if (holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get arrivals() {
      return arrivals;
    },
    get refusals() {
      return refusals;
    },
    get answered() {
      return answered;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    refuseNext: (count, delayMs, opts = {}) => void (refuse = { count, delayMs, header: Boolean(opts.header) }),
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    reset: () => {
      arrivals = [];
      refusals = [];
      answered = 0;
      maxInFlight = inFlight;
      refuse = undefined;
      held = [];
      tokens = burst;
      refilledAt = Date.now();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

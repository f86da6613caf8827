import { StudioError } from "../errors";
import type { RetryPolicy } from "./types";

/** Retries transient StudioErrors with exponential backoff and jitter; the queue retries beyond that. */
export async function withRetry<T>(policy: RetryPolicy, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof StudioError) || !error.transient || attempt >= policy.attempts || signal?.aborted) throw error;
      const delay = policy.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

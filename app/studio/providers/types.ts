import type { Ratio } from "../options";

/** What a generative provider is asked for: one image from a prompt and reference photos. */
export interface ImageRequest {
  prompt: string;
  /** Normalised JPEG or PNG photos, best first. */
  photos: Buffer[];
  ratio: Ratio;
  /** The longest side the studio will deliver, in pixels: the provider asks for the nearest native size. */
  size: number;
  signal?: AbortSignal;
}

export interface ImageAnswer {
  image: Buffer;
  notes: string[];
}

export interface ImageProvider {
  createImage(request: ImageRequest): Promise<ImageAnswer>;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000 };

/** The paid services whose limits are shared by every worker: Vertex AI has quotas of its own, apart from the Gemini API's. */
export type LimitedProvider = "gemini" | "vertex" | "openai-compatible";

/**
 * Admits each request to a paid provider within limits shared by every worker (requests per minute,
 * requests at once), and waits out a rate-limit answer for all of them before trying again, so a 429
 * costs time, not one of the job's attempts. The engine knows only this interface; the app gives one
 * on Redis (app/infra/provider-limits.server.ts). Without one, requests go out as they come.
 */
export interface ProviderGate {
  run<T>(provider: LimitedProvider, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T>;
}

export const OPEN_GATE: ProviderGate = { run: (_provider, _signal, call) => call() };

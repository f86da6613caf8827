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

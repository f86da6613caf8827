export type StudioErrorCode =
  | "INPUT_NOT_IMAGE"
  | "INPUT_TOO_LARGE"
  | "INPUT_CORRUPT"
  | "INPUT_UNSUPPORTED_FORMAT"
  | "NO_PRODUCT"
  | "SAFETY_BLOCKED"
  | "NO_IMAGE"
  | "TEXT_ONLY"
  | "PROVIDER_RATE_LIMITED"
  | "PROVIDER_UNAVAILABLE"
  | "PROVIDER_BAD_REQUEST"
  | "PROVIDER_NOT_CONFIGURED"
  | "MODEL_NOT_FOUND"
  | "TIMEOUT"
  | "CANCELLED";

const TRANSIENT: ReadonlySet<StudioErrorCode> = new Set(["PROVIDER_RATE_LIMITED", "PROVIDER_UNAVAILABLE", "TIMEOUT"]);

/**
 * The one error type leaving the studio. `merchantMessage` is safe to show in the admin;
 * `transient` tells the queue whether a retry can help.
 */
export class StudioError extends Error {
  readonly code: StudioErrorCode;
  readonly merchantMessage: string;
  readonly transient: boolean;
  /** How long the provider asked callers to wait (Retry-After, or Google's RetryInfo), for a rate-limit answer. */
  readonly retryAfterMs?: number;

  constructor(code: StudioErrorCode, merchantMessage: string, options?: { cause?: unknown; detail?: string; retryAfterMs?: number }) {
    super(options?.detail ? `${code}: ${options.detail}` : `${code}: ${merchantMessage}`, { cause: options?.cause });
    this.name = "StudioError";
    this.code = code;
    this.merchantMessage = merchantMessage;
    this.transient = TRANSIENT.has(code);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError("CANCELLED", "The job was cancelled.");
}

import { StudioError } from "../errors";

/** The model a request named, and the setting that names it, for a message that says what to change. */
export interface ModelSetting {
  id: string;
  setting: string;
  replacement?: string;
}

/** Classifies an HTTP status from a provider, once, into the studio's error codes. */
export function classifyStatus(
  provider: string,
  status: number,
  detail: string,
  cause: unknown,
  model?: ModelSetting,
  retryAfterMs?: number,
): StudioError {
  if (status === 429)
    return new StudioError("PROVIDER_RATE_LIMITED", `${provider} is busy right now. We'll try again shortly.`, {
      cause,
      detail,
      retryAfterMs: retryAfterMs ?? googleRetryDelayMs(detail),
    });
  if (status >= 500)
    return new StudioError("PROVIDER_UNAVAILABLE", `${provider} is temporarily unavailable. We'll try again shortly.`, { cause, detail });
  if (status === 401 || status === 403)
    return new StudioError("PROVIDER_BAD_REQUEST", `${provider} rejected the app's credentials. Check the API key in the settings.`, {
      cause,
      detail,
    });
  // Gemini, Vertex AI and gateways answer 404 for a retired or unknown model; gateways also 400 "model_not_found".
  if (model && (status === 404 || /model_not_found|model .*(does not exist|not found)/i.test(detail)))
    return modelNotFound(provider, model, { cause, detail });
  return new StudioError("PROVIDER_BAD_REQUEST", `${provider} could not process this request. Try a different photo or style.`, {
    cause,
    detail,
  });
}

export function modelNotFound(provider: string, model: ModelSetting, options: { cause?: unknown; detail?: string }): StudioError {
  const suggestion = model.replacement ? `, for example ${model.replacement}` : "";
  return new StudioError(
    "MODEL_NOT_FOUND",
    `${provider} no longer offers the image model "${model.id}" (it is retired or unknown). Set ${model.setting} to a current model${suggestion}, then retry.`,
    options,
  );
}

/** Timeouts and connection failures: neither has a status. */
export function classifyNetworkError(provider: string, error: unknown, signal: AbortSignal | undefined): StudioError {
  if (signal?.aborted) return new StudioError("CANCELLED", "The job was cancelled.", { cause: error });
  const name = (error as { name?: string })?.name;
  if (name === "AbortError" || name === "TimeoutError" || name === "APIConnectionTimeoutError") {
    return new StudioError("TIMEOUT", `${provider} took too long to answer. We'll try again.`, { cause: error });
  }
  return new StudioError("PROVIDER_UNAVAILABLE", `${provider} could not be reached. We'll try again shortly.`, {
    cause: error,
    detail: String(error),
  });
}

/** A `Retry-After` header in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); `retry-after-ms` first. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Google's RetryInfo in an error's details (`{"@type": "type.googleapis.com/google.rpc.RetryInfo",
 * "retryDelay": "17s"}`), which Gemini and Vertex send with RESOURCE_EXHAUSTED instead of a header.
 * `detail` is the answer's body as the SDK keeps it: its JSON text.
 */
export function googleRetryDelayMs(detail: string): number | undefined {
  const start = detail.indexOf("{");
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(detail.slice(start)) as { error?: { details?: { "@type"?: string; retryDelay?: string }[] } };
    const info = body.error?.details?.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"));
    const match = /^(\d+(?:\.\d+)?)s$/.exec(info?.retryDelay ?? "");
    return match ? Number(match[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

import { describe, expect, test } from "vitest";
import { classifyStatus, googleRetryDelayMs, retryAfterMs } from "./http-errors";

describe("how long a rate-limited provider asks callers to wait", () => {
  test("Retry-After in seconds or as an HTTP date, retry-after-ms first", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "7" }))).toBe(7000);
    expect(retryAfterMs(new Headers({ "retry-after": "1.5" }))).toBe(1500);
    expect(retryAfterMs(new Headers({ "retry-after": "7", "retry-after-ms": "250" }))).toBe(250);
    const now = Date.parse("Tue, 01 Dec 2026 12:00:00 GMT");
    expect(retryAfterMs(new Headers({ "retry-after": "Tue, 01 Dec 2026 12:00:30 GMT" }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  test("Google's RetryInfo in the error body the SDK keeps as its message", () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        status: "RESOURCE_EXHAUSTED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "17s" },
        ],
      },
    });
    expect(googleRetryDelayMs(body)).toBe(17_000);
    expect(googleRetryDelayMs(body.replace('"17s"', '"0.5s"'))).toBe(500);
    expect(googleRetryDelayMs('{"error":{"code":429}}')).toBeUndefined();
    expect(googleRetryDelayMs("not json")).toBeUndefined();
    const error = classifyStatus("Gemini", 429, body, undefined);
    expect(error.code).toBe("PROVIDER_RATE_LIMITED");
    expect(error.transient).toBe(true);
    expect(error.retryAfterMs).toBe(17_000);
    // A header, when there is one, wins over the body.
    expect(classifyStatus("Gemini", 429, body, undefined, undefined, 3000).retryAfterMs).toBe(3000);
  });
});

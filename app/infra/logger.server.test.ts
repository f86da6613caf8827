import { describe, expect, it } from "vitest";
import { captureLogs, logger, prettyLine, REDACTED, withLogContext } from "./logger.server";

const SECRETS = {
  accessToken: "shpat_0123456789abcdef0123456789abcdef",
  refreshToken: "shprt_refresh-token-value",
  apiKey: "AIzaSyFAKE-gemini-key-0000000000000000",
  secret: "app-secret-value",
  authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature",
  cookie: "shopify_app_session=abc123; other=1",
  shopifyHeader: "shpat_header_token_value",
  googHeader: "AIzaSy-header-key",
  awsSecret: "aws-secret-access-key-value",
};

describe("logger", () => {
  it("writes one JSON object a line, with the context's shop and job and the call's fields", async () => {
    const lines = await captureLogs(async (lines) => {
      await withLogContext({ shop: "ops-a.myshopify.com", jobId: "job-1" }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        logger.warn({ code: "THROTTLED" }, "[worker] generate failed");
      });
      logger.info("outside");
      return lines;
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: "[worker] generate failed",
      shop: "ops-a.myshopify.com",
      jobId: "job-1",
      code: "THROTTLED",
    });
    expect(typeof lines[0].time).toBe("number");
    expect(lines[1]).not.toHaveProperty("shop");
  });

  it("never writes a token, key, secret, authorization header or cookie, at the top or nested", async () => {
    const raw: string[] = [];
    await captureLogs(async (lines) => {
      logger.warn(
        {
          shop: "ops-b.myshopify.com",
          accessToken: SECRETS.accessToken,
          session: { refreshToken: SECRETS.refreshToken, accessToken: SECRETS.accessToken },
          config: { apiKey: SECRETS.apiKey, secret: SECRETS.secret },
          request: {
            headers: {
              authorization: SECRETS.authorization,
              cookie: SECRETS.cookie,
              "x-shopify-access-token": SECRETS.shopifyHeader,
              "x-goog-api-key": SECRETS.googHeader,
              accept: "application/json",
            },
          },
          env: { AWS_SECRET_ACCESS_KEY: SECRETS.awsSecret, QUEUE_PREFIX: "studio" },
        },
        "a request went wrong",
      );
      raw.push(...lines.map((line) => JSON.stringify(line)));
    });
    expect(raw).toHaveLength(1);
    for (const value of Object.values(SECRETS)) expect(raw[0]).not.toContain(value);
    const line = JSON.parse(raw[0]) as { request: { headers: unknown } } & Record<string, unknown>;
    expect(line.accessToken).toBe(REDACTED);
    expect(line.session).toEqual({ refreshToken: REDACTED, accessToken: REDACTED });
    expect(line.config).toEqual({ apiKey: REDACTED, secret: REDACTED });
    expect(line.request.headers).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      "x-shopify-access-token": REDACTED,
      "x-goog-api-key": REDACTED,
      accept: "application/json",
    });
    expect(line.env).toEqual({ AWS_SECRET_ACCESS_KEY: REDACTED, QUEUE_PREFIX: "studio" });
    // What is not a secret is kept.
    expect(line.shop).toBe("ops-b.myshopify.com");
  });

  it("serialises errors with their message and stack", async () => {
    const [line] = await captureLogs(async (lines) => {
      logger.error({ err: new Error("Redis did not answer") }, "[worker] error");
      return lines;
    });
    expect(line).toMatchObject({ level: 50, err: { type: "Error", message: "Redis did not answer" } });
    expect((line.err as { stack: string }).stack).toContain("logger.server.test.ts");
  });

  it("prints a readable line for LOG_FORMAT=pretty", () => {
    const text = prettyLine(
      JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 0, 1, 234), pid: 1, msg: "[worker] ready", shop: "s" }),
    );
    expect(text).toBe("12:00:01.234 WARN  [worker] ready shop=s\n");
  });
});

import { randomBytes } from "node:crypto";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseEnv } from "./env.server";

const KEY = randomBytes(32).toString("base64");
const production = {
  NODE_ENV: "production",
  SHOPIFY_API_KEY: "real-key",
  SHOPIFY_API_SECRET: "real-secret",
  TOKEN_ENCRYPTION_KEY: KEY,
} as const;
const demo = {
  NODE_ENV: "development",
  DEMO_MODE: "1",
  SHOPIFY_API_SECRET: "made-for-this-run",
  SHOPIFY_ADMIN_EMULATOR_URL: "http://127.0.0.1:4010",
  TOKEN_ENCRYPTION_KEY: KEY,
} as const;

describe("parseEnv", () => {
  test("a configured production app gets its key as 32 bytes, from base64 or hex", () => {
    expect(parseEnv(production).TOKEN_ENCRYPTION_KEY).toEqual(Buffer.from(KEY, "base64"));
    const hex = randomBytes(32).toString("hex");
    expect(parseEnv({ ...production, TOKEN_ENCRYPTION_KEY: hex }).TOKEN_ENCRYPTION_KEY.toString("hex")).toBe(hex);
  });

  test("outside tests, a missing TOKEN_ENCRYPTION_KEY is refused with a message saying what to set", () => {
    expect(() => parseEnv({ ...production, TOKEN_ENCRYPTION_KEY: undefined })).toThrow(/TOKEN_ENCRYPTION_KEY is required: 32 random bytes/);
    expect(() => parseEnv({ ...demo, TOKEN_ENCRYPTION_KEY: "" })).toThrow(/TOKEN_ENCRYPTION_KEY is required/);
  });

  test("a key that is not 32 bytes is refused, naming the variable", () => {
    expect(() => parseEnv({ ...production, TOKEN_ENCRYPTION_KEY: "too-short" })).toThrow(/TOKEN_ENCRYPTION_KEY: must be 32 random bytes/);
    expect(() => parseEnv({ ...production, TOKEN_ENCRYPTION_KEY_PREVIOUS: "abc" })).toThrow(/TOKEN_ENCRYPTION_KEY_PREVIOUS/);
  });

  test("demo mode needs the loopback emulator whatever NODE_ENV says", () => {
    for (const NODE_ENV of ["development", "production", "test"] as const) {
      expect(() => parseEnv({ ...demo, NODE_ENV, SHOPIFY_ADMIN_EMULATOR_URL: undefined })).toThrow(
        /DEMO_MODE=1 needs SHOPIFY_ADMIN_EMULATOR_URL/,
      );
    }
    expect(() => parseEnv({ ...demo, SHOPIFY_ADMIN_EMULATOR_URL: "http://10.0.0.5:4010" })).toThrow(/must point at this machine/);
    expect(parseEnv(demo).DEMO_MODE).toBe(true);
  });

  test("demo mode has no built-in secret: the run must make one", () => {
    expect(() => parseEnv({ ...demo, SHOPIFY_API_SECRET: undefined })).toThrow(/DEMO_MODE=1 needs SHOPIFY_API_SECRET/);
    expect(parseEnv(demo).SHOPIFY_API_SECRET).toBe("made-for-this-run");
  });

  test("tests that set no secret or key get random ones, different each time", () => {
    const a = parseEnv({ NODE_ENV: "test" });
    const b = parseEnv({ NODE_ENV: "test" });
    expect(a.SHOPIFY_API_SECRET).not.toBe(b.SHOPIFY_API_SECRET);
    expect(a.SHOPIFY_API_SECRET).not.toBe("demo-api-secret");
    expect(a.TOKEN_ENCRYPTION_KEY.equals(b.TOKEN_ENCRYPTION_KEY)).toBe(false);
  });

  test("STORAGE_URL is a folder by default, or a bucket and prefix, with path-style addressing as an option", () => {
    expect(parseEnv(production).STORAGE_URL).toEqual({ kind: "file", dir: path.resolve("storage/files") });
    expect(parseEnv({ ...production, STORAGE_URL: "file:///srv/photos" }).STORAGE_URL).toEqual({ kind: "file", dir: "/srv/photos" });
    const s3 = { ...production, STORAGE_URL: "s3://studio-images/prod/eu", AWS_REGION: "auto" };
    expect(parseEnv(s3).STORAGE_URL).toEqual({ kind: "s3", bucket: "studio-images", prefix: "prod/eu/", forcePathStyle: false });
    expect(parseEnv({ ...s3, STORAGE_URL: "s3://studio-images?forcePathStyle=true" }).STORAGE_URL).toEqual({
      kind: "s3",
      bucket: "studio-images",
      prefix: "",
      forcePathStyle: true,
    });
  });

  test("a malformed STORAGE_URL, an S3 one without a region, or the old STORAGE_DIR is refused, saying what to set", () => {
    expect(() => parseEnv({ ...production, STORAGE_URL: "gs://bucket" })).toThrow(
      /STORAGE_URL: STORAGE_URL must start with file: .* or s3:\/\//,
    );
    expect(() => parseEnv({ ...production, STORAGE_URL: "s3://Bad_Bucket", AWS_REGION: "auto" })).toThrow(/is not a bucket name/);
    expect(() => parseEnv({ ...production, STORAGE_URL: "s3://bucket/new photos", AWS_REGION: "auto" })).toThrow(/STORAGE_URL: the prefix/);
    expect(() => parseEnv({ ...production, STORAGE_URL: "s3://bucket?pathStyle=1", AWS_REGION: "auto" })).toThrow(
      /unknown option "pathStyle"/,
    );
    expect(() => parseEnv({ ...production, STORAGE_URL: "s3://bucket" })).toThrow(/STORAGE_URL=s3:\/\/… needs AWS_REGION/);
    expect(() => parseEnv({ ...production, STORAGE_DIR: "/mnt/shared" })).toThrow(
      /STORAGE_DIR was replaced by STORAGE_URL: set STORAGE_URL=file:\/mnt\/shared/,
    );
  });
});

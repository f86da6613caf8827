import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

// A real S3-protocol server on loopback for the tests: @20minutes/s3rver, the maintained fork of s3rver
// (current dependencies, Node 24). It checks SigV4 signatures of requests and of presigned URLs (and
// their expiry), applies response-* overrides, and implements ListObjectsV2 paging and DeleteObjects, so
// the real AWS SDK runs against it unchanged. Where it is laxer than S3: unsigned requests are served
// (no access control), and it keeps no versions. One bug of its own is fixed below: for a request on the
// bucket itself (ListObjectsV2, DeleteObjects) it signs the path without the trailing slash the SDK sends
// (`/bucket/`), so every such request failed with SignatureDoesNotMatch.

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

type Middleware = (ctx: { path: string; params: Record<string, string | undefined> }, next: () => Promise<unknown>) => Promise<unknown>;

const require = createRequire(import.meta.url);
// Replaced in the module cache before s3rver's router loads it.
const authenticationPath = require.resolve("@20minutes/s3rver/lib/middleware/authentication");
const authentication = require(authenticationPath) as () => Middleware;
require.cache[authenticationPath]!.exports = (): Middleware => {
  const verify = authentication();
  return (ctx, next) => {
    const { bucket, key } = ctx.params;
    if (!bucket || key || !ctx.path.endsWith(`/${bucket}/`)) return verify(ctx, next);
    // s3rver signs `/${params.bucket}`: give it the path as sent, then the bucket back for the handlers.
    ctx.params.bucket = `${bucket}/`;
    return verify(ctx, () => {
      ctx.params.bucket = bucket;
      return next();
    });
  };
};
const S3rver = require("@20minutes/s3rver") as new (options: Record<string, unknown>) => S3rverInstance;

/** s3rver's built-in key pair. */
const ACCESS_KEY = "S3RVER";
const SECRET_KEY = "S3RVER";

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** What a web or worker process needs to use this server: STORAGE_URL and the SDK's own variables. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(options: { prefix?: string } = {}): Promise<S3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), "studio-s3-"));
  const bucket = `studio-test-${randomBytes(4).toString("hex")}`;
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const prefix = options.prefix ?? "app";
  return {
    endpoint,
    bucket,
    env: {
      STORAGE_URL: `s3://${bucket}/${prefix}?forcePathStyle=true`,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

// A real S3-protocol server on loopback for the tests: @20minutes/s3rver, the maintained fork of s3rver
// (current dependencies, Node 24), in a process of its own. It checks SigV4 signatures of requests and of
// presigned URLs (and their expiry), applies response-* overrides, and implements ListObjectsV2 paging
// and DeleteObjects, so the real AWS SDK runs against it unchanged. Where it is laxer than S3: unsigned
// requests are served (no access control), and it keeps no versions.
//
// Two faults of its own are dealt with here. Its ListObjectsV2 continuation tokens are DES-encrypted,
// which OpenSSL 3 only has in its legacy provider: without --openssl-legacy-provider every listing of
// more than 1,000 keys fails with InternalError. And for requests on the bucket itself (ListObjectsV2,
// DeleteObjects) it signs the path without the trailing slash the SDK sends (`/bucket/`), so each of
// them failed with SignatureDoesNotMatch: its authentication is given the path as sent.

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

/** Starts the server on a free loopback port, with one empty bucket. */
export async function startS3Server(options: { prefix?: string } = {}): Promise<S3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), "studio-s3-"));
  const bucket = `studio-test-${randomBytes(4).toString("hex")}`;
  const child = spawn(
    process.execPath,
    ["--openssl-legacy-provider", "--import", "tsx", fileURLToPath(import.meta.url), directory, bucket],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`The S3 test server exited (${code}) before it listened`)));
    createInterface({ input: child.stdout }).once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
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
      // Closing its stdin stops it (and a test process that dies takes the server with it).
      child.stdin.end();
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

type Middleware = (ctx: { path: string; params: Record<string, string | undefined> }, next: () => Promise<unknown>) => Promise<unknown>;

interface S3rverInstance {
  run(): Promise<AddressInfo>;
}

async function serve(directory: string, bucket: string) {
  const require = createRequire(import.meta.url);
  // Replaced in the module cache before s3rver's router loads it.
  const authenticationPath = require.resolve("@20minutes/s3rver/lib/middleware/authentication");
  const authentication = require(authenticationPath) as () => Middleware;
  require.cache[authenticationPath]!.exports = (): Middleware => {
    const verify = authentication();
    return (ctx, next) => {
      const { bucket: name, key } = ctx.params;
      if (!name || key || !ctx.path.endsWith(`/${name}/`)) return verify(ctx, next);
      // s3rver signs `/${params.bucket}`: give it the path as sent, then the bucket back for the handlers.
      ctx.params.bucket = `${name}/`;
      return verify(ctx, () => {
        ctx.params.bucket = name;
        return next();
      });
    };
  };
  const S3rver = require("@20minutes/s3rver") as new (options: Record<string, unknown>) => S3rverInstance;
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  // Nothing to flush: objects are on disk as they are written, and the test removes the folder.
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [directory, bucket] = process.argv.slice(2);
  await serve(directory, bucket);
}

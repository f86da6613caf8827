import path from "node:path";

// One reading of STORAGE_URL for the app and the tests: `file:` is a folder on this machine (one machine,
// or a mount every machine shares), `s3://bucket/prefix` is S3-compatible object storage. Endpoint,
// region and credentials are the AWS SDK's own environment variables; path-style addressing has no
// standard variable (the SDK reads none), so it is part of the URL.

export const DEFAULT_STORAGE_URL = "file:./storage/files";

export type StorageTarget = { kind: "file"; dir: string } | { kind: "s3"; bucket: string; prefix: string; forcePathStyle: boolean };

// S3's rules for new buckets; R2, GCS, MinIO and Ceph accept the same names.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_PART = /^[a-zA-Z0-9._-]+$/;

export function parseStorageUrl(url: string): StorageTarget {
  if (url.startsWith("file:")) {
    const dir = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (!dir) throw new Error(`STORAGE_URL "${url}" names no folder.`);
    return { kind: "file", dir: path.resolve(dir) };
  }
  if (url.startsWith("s3://")) {
    const parsed = new URL(url);
    const bucket = parsed.hostname;
    if (!BUCKET.test(bucket))
      throw new Error(`STORAGE_URL: "${bucket}" is not a bucket name (3-63 lowercase letters, digits, dots, hyphens).`);
    const parts = parsed.pathname.split("/").filter(Boolean);
    if (parts.some((part) => !PREFIX_PART.test(part) || part === "." || part === "..")) {
      throw new Error(`STORAGE_URL: the prefix "${parsed.pathname}" may only have letters, digits, ".", "_", "-" between slashes.`);
    }
    for (const name of parsed.searchParams.keys()) {
      if (name !== "forcePathStyle") throw new Error(`STORAGE_URL: unknown option "${name}" (the only one is forcePathStyle=true).`);
    }
    const pathStyle = parsed.searchParams.get("forcePathStyle");
    if (pathStyle !== null && pathStyle !== "true" && pathStyle !== "false") {
      throw new Error("STORAGE_URL: forcePathStyle must be true or false.");
    }
    return { kind: "s3", bucket, prefix: parts.map((part) => `${part}/`).join(""), forcePathStyle: pathStyle === "true" };
  }
  throw new Error(`STORAGE_URL must start with file: (a folder) or s3:// (object storage), got "${url.split(":")[0]}:…".`);
}

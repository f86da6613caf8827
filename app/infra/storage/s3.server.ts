import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ListedFile, StorageDriver } from "./driver";

// S3-compatible object storage (AWS S3, Cloudflare R2, Google Cloud Storage's XML API, MinIO, Ceph)
// through the AWS SDK. The SDK reads the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), the region
// (AWS_REGION) and the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a web identity or
// the instance's role) by itself; the bucket, prefix and path-style addressing come from STORAGE_URL.

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;
/** A presigned URL is good for at most a week (SigV4's limit). */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface S3Target {
  bucket: string;
  /** "" or a folder ending in "/", in front of every key. */
  prefix: string;
  forcePathStyle: boolean;
}

function status(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === "NoSuchKey" || error.name === "NotFound" || status(error) === 404);
}

export function s3Driver(target: S3Target): StorageDriver {
  const client = new S3Client({
    forcePathStyle: target.forcePathStyle,
    // A store that does not answer fails the request instead of hanging it; idle sockets are closed.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 30_000 },
  });
  const { bucket, prefix } = target;
  const objectKey = (key: string) => `${prefix}${key}`;

  async function removeOneByOne(keys: string[]) {
    await Promise.all(keys.map((key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }))));
  }

  return {
    async save(key, data, contentType) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: objectKey(key), Body: data, ContentType: contentType, ContentLength: data.length }),
      );
    },
    async open(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        if (!answer.Body) return null;
        return { body: answer.Body.transformToWebStream() as ReadableStream<Uint8Array>, bytes: answer.ContentLength ?? 0 };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async remove(keys) {
      if (keys.length === 1) return removeOneByOne(keys);
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        try {
          const answer = await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((key) => ({ Key: objectKey(key) })), Quiet: true } }),
          );
          const failed = answer.Errors ?? [];
          if (failed.length > 0) {
            throw new Error(
              `The object store did not delete ${failed.length} file(s): ${failed[0].Code} ${failed[0].Message ?? ""}`.trim(),
            );
          }
        } catch (error) {
          // Google Cloud Storage's XML API answered NotImplemented to multi-object delete until 2026.
          if (!(error instanceof S3ServiceException && error.name === "NotImplemented")) throw error;
          await removeOneByOne(batch);
        }
      }
    },
    async *list(folder) {
      let token: string | undefined;
      do {
        const answer = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: objectKey(folder), ContinuationToken: token }));
        const page: ListedFile[] = (answer.Contents ?? []).flatMap((object) =>
          object.Key?.startsWith(prefix) ? [{ key: object.Key.slice(prefix.length), modified: object.LastModified ?? new Date(0) }] : [],
        );
        if (page.length > 0) yield page;
        token = answer.IsTruncated ? answer.NextContinuationToken : undefined;
      } while (token);
    },
    async directUrl(key, link) {
      // Signed as of a fixed moment (the start of the link's window), so every request in the window
      // gets the same URL and the browser keeps the image it has. The store's response says how long
      // the browser may keep it: until the link expires, never longer.
      const lifetime = link.expires - link.from;
      if (lifetime > MAX_PRESIGN_SECONDS) throw new Error("A presigned URL cannot be good for more than a week");
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: objectKey(key),
        ResponseContentType: link.contentType,
        ResponseCacheControl: "private, immutable",
        ResponseExpires: new Date(link.expires * 1000),
        ...(link.download ? { ResponseContentDisposition: `attachment; filename="${link.download}"` } : {}),
      });
      return getSignedUrl(client, command, { signingDate: new Date(link.from * 1000), expiresIn: lifetime });
    },
    async check() {
      try {
        await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
      } catch (error) {
        if (error instanceof S3ServiceException && error.name === "NoSuchBucket") {
          throw new Error(`The bucket "${bucket}" named in STORAGE_URL does not exist at the configured endpoint.`, { cause: error });
        }
        throw error;
      }
    },
  };
}

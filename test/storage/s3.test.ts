import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { s3Driver } from "~/infra/storage/s3.server";
import { parseStorageUrl, type StorageTarget } from "~/infra/storage/url";
import { startS3Server, type S3Server } from "../s3-server";

// What only the S3 driver does, against the loopback S3 server with the real AWS SDK: presigned URLs
// (stable within a window, refused once expired or altered), the error for a missing bucket, and stores
// that lack multi-object delete.

let s3: S3Server;
let target: Extract<StorageTarget, { kind: "s3" }>;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3Server({ prefix: "driver-test" });
  Object.assign(process.env, s3.env);
  target = parseStorageUrl(s3.env.STORAGE_URL) as typeof target;
});

afterAll(async () => {
  process.env = saved;
  await s3?.stop();
});

const now = () => Math.floor(Date.now() / 1000);

describe("presigned URLs", () => {
  test("are the same for every request in a window, and open the file with the headers asked for", async () => {
    const driver = s3Driver(target);
    await driver.save("shop/job/out.png", Buffer.from("png bytes"), "image/png");
    const link = { from: now() - 60, expires: now() + 3600, contentType: "image/png", download: "out.png" };
    const first = await driver.directUrl("shop/job/out.png", link);
    expect(await driver.directUrl("shop/job/out.png", link)).toBe(first);
    expect(new URL(first!).searchParams.get("X-Amz-Date")).toBe(new Date(link.from * 1000).toISOString().replace(/[-:]|\.\d+/g, ""));

    const response = await fetch(first!);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="out.png"');
    expect(response.headers.get("cache-control")).toBe("private, immutable");
    expect(Date.parse(response.headers.get("expires")!)).toBe(link.expires * 1000);
    expect(await response.text()).toBe("png bytes");
  });

  test("are refused by the store once their window has passed, or when the key in them was changed", async () => {
    const driver = s3Driver(target);
    await driver.save("shop/job/a.png", Buffer.from("a"), "image/png");
    await driver.save("shop/job/b.png", Buffer.from("b"), "image/png");
    const expired = await driver.directUrl("shop/job/a.png", { from: now() - 7200, expires: now() - 1, contentType: "image/png" });
    expect((await fetch(expired!)).status).toBe(403);
    const valid = await driver.directUrl("shop/job/a.png", { from: now() - 60, expires: now() + 3600, contentType: "image/png" });
    expect((await fetch(valid!.replace("/a.png?", "/b.png?"))).status).toBe(403);
    expect((await fetch(valid!)).status).toBe(200);
  });
});

describe("the store itself", () => {
  test("a bucket that does not exist is named in the readiness check's error", async () => {
    const driver = s3Driver({ ...target, bucket: "no-such-bucket-here" });
    await expect(driver.check()).rejects.toThrow(/The bucket "no-such-bucket-here" named in STORAGE_URL does not exist/);
    await expect(s3Driver(target).check()).resolves.toBeUndefined();
  });

  test("a store without multi-object delete still gets every file deleted, one at a time", async () => {
    // Google Cloud Storage's XML API answered DeleteObjects like this (before its 2026 support for it).
    let refused = 0;
    const upstream = new URL(s3.endpoint);
    const proxy: Server = createServer((incoming, outgoing) => {
      if (incoming.method === "POST" && new URL(incoming.url!, "http://x").searchParams.has("delete")) {
        refused += 1;
        incoming.resume();
        outgoing.writeHead(501, { "content-type": "application/xml" });
        outgoing.end(
          "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NotImplemented</Code><Message>A header or query you provided requested a function that is not implemented.</Message><Details>POST ?delete is not implemented for objects.</Details></Error>",
        );
        return;
      }
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(outgoing);
        },
      );
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const driver = s3Driver(target);
      const keys = ["gcs/job/1.png", "gcs/job/2.png", "gcs/job/3.png"];
      for (const key of keys) await driver.save(key, Buffer.from(key), "image/png");
      await driver.remove(keys);
      expect(refused).toBe(1);
      for (const key of keys) expect(await driver.exists(key)).toBe(false);
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../scripts/emulator/index.ts";
import { AdminApiError } from "./admin-api.server";
import { PRODUCT_FOR_GENERATION_QUERY } from "./documents";
import { fetchProductImage } from "./fetch-image.server";
import { openShop } from "./test-support";

let emu: Emulator;
let other: Server;
let otherOrigin: string;
let hits = 0;

beforeAll(async () => {
  emu = await startEmulator({ mediaProcessingMs: 40 });
  // A server that is NOT the emulator: stands for any internal address an attacker would point at.
  other = createServer((req, res) => {
    hits++;
    if (req.url === "/redirect-away") {
      res.writeHead(302, { Location: `${emu.origin}/cdn/anything` }).end();
    } else if (req.url === "/huge") {
      // Chunked, with no Content-Length: only counting bytes can stop it.
      res.writeHead(200, { "Content-Type": "image/png" });
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    } else if (req.url === "/slow") {
      setTimeout(() => res.end("late"), 2000);
    } else if (req.url === "/missing") {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("secret");
    }
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});

afterEach(() => {
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
});

afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
  other.closeAllConnections();
  await new Promise((resolve) => other.close(resolve));
  await emu.close();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdminApiError);
  return (error as AdminApiError).code;
}

async function firstImageUrl(): Promise<string> {
  process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
  const { api, product } = openShop(emu);
  const answer = await api.request(PRODUCT_FOR_GENERATION_QUERY, { id: product.id });
  const [first] = answer.product?.media.nodes ?? [];
  if (first?.__typename !== "MediaImage" || !first.image) throw new Error("The emulator's product has no image first.");
  return first.image.url;
}

describe("fetchProductImage", () => {
  it("downloads a product photo from the (emulated) CDN", async () => {
    const bytes = await fetchProductImage(await firstImageUrl());
    const meta = await sharp(bytes).metadata();
    expect(meta.width).toBeGreaterThan(100);
  });

  it("refuses any URL that is not Shopify's CDN, without fetching it", async () => {
    process.env.SHOPIFY_ADMIN_EMULATOR_URL = emu.origin;
    hits = 0;
    for (const url of [
      `${otherOrigin}/secret`,
      "http://169.254.169.254/latest/meta-data/",
      "http://cdn.shopify.com/s/files/1/a.png",
      "https://cdn.shopify.com.evil.example/s/files/a.png",
      "https://evil.example/cdn.shopify.com/a.png",
      "https://user@cdn.shopify.com/s/files/a.png",
      "file:///etc/passwd",
      "not a url",
    ]) {
      expect(await codeOf(fetchProductImage(url))).toBe("URL_NOT_ALLOWED");
    }
    expect(hits).toBe(0);
  });

  it("refuses the emulator's URLs when no emulator is configured (production)", async () => {
    const url = await firstImageUrl();
    delete process.env.SHOPIFY_ADMIN_EMULATOR_URL;
    expect(await codeOf(fetchProductImage(url))).toBe("URL_NOT_ALLOWED");
  });

  it("stops reading a body larger than the limit, declared or not", async () => {
    expect(await codeOf(fetchProductImage(await firstImageUrl(), { maxBytes: 1000 }))).toBe("IMAGE_TOO_LARGE");
    process.env.SHOPIFY_ADMIN_EMULATOR_URL = otherOrigin;
    expect(await codeOf(fetchProductImage(`${otherOrigin}/huge`, { maxBytes: 1024 * 1024 }))).toBe("IMAGE_TOO_LARGE");
  });

  it("does not follow a redirect to another host", async () => {
    process.env.SHOPIFY_ADMIN_EMULATOR_URL = otherOrigin;
    expect(await codeOf(fetchProductImage(`${otherOrigin}/redirect-away`))).toBe("URL_NOT_ALLOWED");
  });

  it("reports an error status and a timeout, the latter as transient", async () => {
    process.env.SHOPIFY_ADMIN_EMULATOR_URL = otherOrigin;
    expect(await codeOf(fetchProductImage(`${otherOrigin}/missing`))).toBe("IMAGE_FETCH_FAILED");
    const error = await fetchProductImage(`${otherOrigin}/slow`, { timeoutMs: 200 }).catch((e: AdminApiError) => e);
    expect(error).toMatchObject({ code: "IMAGE_FETCH_FAILED", transient: true });
  });
});

import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { env } from "./env.server";

// Image files on local disk (or any shared mount for several machines). Keys always start with the shop,
// so a shop's files can be found and deleted together and a key from one shop never reads another's.

const KEY_PART = /^[a-zA-Z0-9._-]+$/;

/** The storage key of an output row created before its file is written (the row's id names the file). */
export const PENDING_STORAGE_KEY = "pending";

export function fileKey(shop: string, ...parts: string[]): string {
  for (const part of [shop, ...parts]) {
    if (!KEY_PART.test(part) || part === "." || part === "..") throw new Error(`Invalid storage key part: ${part}`);
  }
  return [shop, ...parts].join("/");
}

function filePath(key: string): string {
  const root = path.resolve(env.STORAGE_DIR);
  const full = path.resolve(root, key);
  if (!full.startsWith(root + path.sep)) throw new Error("Storage key escapes the storage directory");
  return full;
}

export async function saveFile(key: string, data: Buffer): Promise<void> {
  const full = filePath(key);
  await mkdir(path.dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, full);
}

export async function loadFile(key: string): Promise<Buffer> {
  return readFile(filePath(key));
}

export async function deleteFile(key: string): Promise<void> {
  await rm(filePath(key), { force: true });
}

export async function deleteShopFiles(shop: string): Promise<void> {
  await rm(filePath(fileKey(shop)), { recursive: true, force: true });
}

export function keyBelongsToShop(key: string, shop: string): boolean {
  return key.startsWith(`${shop}/`);
}

// <img> tags cannot carry a session token, so image URLs are signed for a short time instead.
function signature(key: string, expires: number): string {
  return createHmac("sha256", env.SHOPIFY_API_SECRET).update(`${key}\n${expires}`).digest("base64url");
}

export function signedFileUrl(key: string, ttlSeconds = 3600): string {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  return `/files/${key}?expires=${expires}&signature=${signature(key, expires)}`;
}

export function verifyFileSignature(key: string, expires: string | null, sig: string | null): boolean {
  if (!expires || !sig || !/^\d+$/.test(expires)) return false;
  if (Number(expires) < Date.now() / 1000) return false;
  const expected = Buffer.from(signature(key, Number(expires)));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

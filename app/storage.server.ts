import { createHmac, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import sharp from "sharp";
import { env } from "./env.server";

// Image files, behind one small driver interface: local disk today (or any shared mount for several
// machines); an object store later, behind the same exported functions. Keys always start with the
// shop, so a shop's files can be found and deleted together and a key from one shop never reads
// another's.

const KEY_PART = /^[a-zA-Z0-9._-]+$/;

/** The storage key of an output row created before its file is written (the row's id names the file). */
export const PENDING_STORAGE_KEY = "pending";

export function fileKey(shop: string, ...parts: string[]): string {
  for (const part of [shop, ...parts]) {
    if (!KEY_PART.test(part) || part === "." || part === "..") throw new Error(`Invalid storage key part: ${part}`);
  }
  return [shop, ...parts].join("/");
}

export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  bytes: number;
}

export type FileVariant = "original" | "thumbnail";

export interface StorageDriver {
  save(key: string, data: Buffer): Promise<void>;
  load(key: string): Promise<Buffer>;
  /** The file as a stream, or null when there is none. */
  open(key: string): Promise<StoredFile | null>;
  exists(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
  removeAll(prefix: string): Promise<void>;
  /** A URL the browser can fetch the file from until `expires` (Unix seconds), without a session. */
  url(key: string, variant: FileVariant, expires: number, download: boolean): string;
}

function localDriver(root: string): StorageDriver {
  const filePath = (key: string) => {
    const base = path.resolve(root);
    const full = path.resolve(base, key);
    if (!full.startsWith(base + path.sep)) throw new Error("Storage key escapes the storage directory");
    return full;
  };
  return {
    async save(key, data) {
      const full = filePath(key);
      await mkdir(path.dirname(full), { recursive: true });
      const tmp = `${full}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, full);
    },
    load: (key) => readFile(filePath(key)),
    async open(key) {
      const full = filePath(key);
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) return null;
      return { body: Readable.toWeb(createReadStream(full)) as ReadableStream<Uint8Array>, bytes: info.size };
    },
    exists: (key) => stat(filePath(key)).then((info) => info.isFile(), () => false),
    remove: (key) => rm(filePath(key), { force: true }),
    removeAll: (prefix) => rm(filePath(prefix), { recursive: true, force: true }),
    url(key, variant, expires, download) {
      const params = new URLSearchParams({ expires: String(expires), signature: signature(key, variant, expires) });
      if (variant !== "original") params.set("variant", variant);
      if (download) params.set("download", "1");
      return `/files/${key}?${params}`;
    },
  };
}

const driver: StorageDriver = localDriver(env.STORAGE_DIR);

export const saveFile = (key: string, data: Buffer) => driver.save(key, data);
export const loadFile = (key: string) => driver.load(key);

export async function deleteFile(key: string): Promise<void> {
  await Promise.all([driver.remove(key), driver.remove(thumbnailKey(key))]);
}

export async function deleteShopFiles(shop: string): Promise<void> {
  await driver.removeAll(fileKey(shop));
}

export function keyBelongsToShop(key: string, shop: string): boolean {
  return key.startsWith(`${shop}/`);
}

// <img> tags cannot carry a session token, so image URLs are signed for a while instead. They are
// signed within fixed windows, so that every page load and poll in a window gets the same URL and the
// browser keeps the image it has; a link is always good for at least URL_MIN_LIFE_SECONDS.
export const URL_WINDOW_SECONDS = 3600;
export const URL_MIN_LIFE_SECONDS = 3600;

export function urlExpiry(nowMs = Date.now()): number {
  const earliest = Math.floor(nowMs / 1000) + URL_MIN_LIFE_SECONDS;
  return Math.ceil(earliest / URL_WINDOW_SECONDS) * URL_WINDOW_SECONDS;
}

function signature(key: string, variant: FileVariant, expires: number): string {
  return createHmac("sha256", env.SHOPIFY_API_SECRET).update(`${key}\n${variant}\n${expires}`).digest("base64url");
}

export interface FileUrlOptions {
  /** A small image for lists (made once per file, kept beside it). */
  thumbnail?: boolean;
  /** Served as an attachment. */
  download?: boolean;
}

export function signedFileUrl(key: string, options: FileUrlOptions = {}): string {
  return driver.url(key, options.thumbnail ? "thumbnail" : "original", urlExpiry(), options.download ?? false);
}

/** The variant and expiry a /files URL was signed for, or null when the signature is wrong or has expired. */
export function verifyFileUrl(key: string, params: URLSearchParams): { variant: FileVariant; expires: number } | null {
  const expires = params.get("expires");
  const sig = params.get("signature");
  const variant = (params.get("variant") ?? "original") as FileVariant;
  if (!expires || !sig || !/^\d+$/.test(expires) || !["original", "thumbnail"].includes(variant)) return null;
  if (Number(expires) <= Date.now() / 1000) return null;
  const expected = Buffer.from(signature(key, variant, Number(expires)));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { variant, expires: Number(expires) };
}

/** Thumbnails fit this box, in WebP: a few kilobytes for a list's 40-80 px images on any screen. */
const THUMBNAIL_PX = 256;

function thumbnailKey(key: string): string {
  return `${key}.thumb.webp`;
}

// Thumbnails are made in the web process on first request; a couple at a time keeps a page of 50 new
// results from decoding 50 full-size images at once.
const making = new Map<string, Promise<void>>();
const queue: (() => void)[] = [];
let running = 0;
const MAX_RUNNING = 2;

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => queue.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    queue.shift()?.();
  }
}

async function ensureThumbnail(key: string): Promise<string | null> {
  const thumb = thumbnailKey(key);
  if (await driver.exists(thumb)) return thumb;
  let pending = making.get(key);
  if (!pending) {
    pending = withSlot(async () => {
      const original = await driver.open(key);
      if (!original) return;
      const resizer = sharp().rotate().resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: "inside", withoutEnlargement: true }).webp({ quality: 80 });
      const data = await Readable.fromWeb(original.body as never).pipe(resizer).toBuffer();
      await driver.save(thumb, data);
    }).finally(() => making.delete(key));
    making.set(key, pending);
  }
  await pending;
  return (await driver.exists(thumb)) ? thumb : null;
}

/** The stored file for a verified URL: the original, or its thumbnail (made now if it is the first request). */
export async function openFile(key: string, variant: FileVariant): Promise<(StoredFile & { type: string }) | null> {
  if (variant === "thumbnail") {
    const thumb = await ensureThumbnail(key);
    const file = thumb ? await driver.open(thumb) : null;
    return file && { ...file, type: "image/webp" };
  }
  const file = await driver.open(key);
  return file && { ...file, type: CONTENT_TYPES[key.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream" };
}

const CONTENT_TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

import { createHmac, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import sharp from "sharp";
import { prisma } from "./db.server";
import { env } from "./env.server";
import { diskDriver } from "./storage/disk.server";
import type { ListedFile, StorageDriver, StoredFile } from "./storage/driver";

// Image files, behind one small driver interface (app/infra/storage/driver.ts): a folder on disk, the embedded
// default, or S3-compatible object storage, chosen by STORAGE_URL. Keys always start with the shop, so a
// shop's files can be found and deleted together and a key from one shop never reads another's.
// Nothing here is kept in the process between requests: every web and worker process sees the same
// files, whichever wrote them.

const KEY_PART = /^[a-zA-Z0-9._-]+$/;

/** The storage key of an output row created before its file is written (the row's id names the file). */
export const PENDING_STORAGE_KEY = "pending";

export function fileKey(shop: string, ...parts: string[]): string {
  for (const part of [shop, ...parts]) {
    if (!KEY_PART.test(part) || part === "." || part === "..") throw new Error(`Invalid storage key part: ${part}`);
  }
  return [shop, ...parts].join("/");
}

export type { StoredFile };

export type FileVariant = "original" | "thumbnail";

let driver: Promise<StorageDriver> | undefined;

/** The configured driver. The AWS SDK (about 35 MB of a process's memory) is loaded only for a bucket. */
function store(): Promise<StorageDriver> {
  const target = env.STORAGE_URL;
  driver ??=
    target.kind === "s3" ? import("./storage/s3.server").then(({ s3Driver }) => s3Driver(target)) : Promise.resolve(diskDriver(target.dir));
  return driver;
}

const CONTENT_TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

function contentType(key: string): string {
  return CONTENT_TYPES[key.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

export async function saveFile(key: string, data: Buffer): Promise<void> {
  await (await store()).save(key, data, contentType(key));
}

/**
 * The whole file in memory, for code that needs it so: sharp decodes whole images, and Shopify's staged
 * upload is a form post of the file. Serving files to browsers streams them instead (openFile).
 */
export async function loadFile(key: string): Promise<Buffer> {
  const file = await (await store()).open(key);
  if (!file) throw new Error(`No stored file ${key}`);
  return Buffer.from(await new Response(file.body).arrayBuffer());
}

export async function deleteFile(key: string): Promise<void> {
  await (await store()).remove([key, thumbnailKey(key)]);
}

/** Every file of the shop, listed by its key prefix and deleted in batches. Safe to run twice. */
export async function deleteShopFiles(shop: string): Promise<number> {
  const storage = await store();
  let deleted = 0;
  for await (const page of storage.list(`${fileKey(shop)}/`)) {
    await storage.remove(page.map((file) => file.key));
    deleted += page.length;
  }
  return deleted;
}

export function keyBelongsToShop(key: string, shop: string): boolean {
  return key.startsWith(`${shop}/`);
}

/** For readiness checks: throws, saying why, unless the configured storage answers. */
export async function checkStorage(): Promise<void> {
  await (await store()).check();
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

/**
 * The app's /files URL for a stored file, signed with the app's secret: every web process verifies it,
 * and it costs the page no call to the store. The route streams the file from disk, or with object
 * storage redirects to a presigned URL, so the body never passes through the web process.
 */
export function signedFileUrl(key: string, options: FileUrlOptions = {}): string {
  const variant: FileVariant = options.thumbnail ? "thumbnail" : "original";
  const expires = urlExpiry();
  const params = new URLSearchParams({ expires: String(expires), signature: signature(key, variant, expires) });
  if (variant !== "original") params.set("variant", variant);
  if (options.download) params.set("download", "1");
  return `/files/${key}?${params}`;
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

export function thumbnailKey(key: string): string {
  return `${key}.thumb.webp`;
}

// Thumbnails are made on first request and stored beside their file, so every process finds them. A
// process makes at most two at a time (a page of 50 new results must not decode 50 full-size images at
// once in one process), and one at a time per file; two processes asked for the same new thumbnail at
// the same moment may both make it, and both store the same bytes.
const making = new Map<string, Promise<void>>();
const waiting: (() => void)[] = [];
let running = 0;
const MAX_RUNNING = 2;

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

async function ensureThumbnail(key: string): Promise<string | null> {
  const storage = await store();
  const thumb = thumbnailKey(key);
  if (await storage.exists(thumb)) return thumb;
  let pending = making.get(key);
  if (!pending) {
    pending = withSlot(async () => {
      const original = await storage.open(key);
      if (!original) return;
      const resizer = sharp()
        .rotate()
        .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 80 });
      // The original streams into sharp; the thumbnail (a few kilobytes) is stored whole.
      const data = await Readable.fromWeb(original.body as never)
        .pipe(resizer)
        .toBuffer();
      await storage.save(thumb, data, "image/webp");
    }).finally(() => making.delete(key));
    making.set(key, pending);
  }
  await pending;
  return (await storage.exists(thumb)) ? thumb : null;
}

export type ServedFile = { redirect: string } | (StoredFile & { type: string });

/**
 * What a verified /files URL serves: the original or its thumbnail (made now if this is the first
 * request for it), as a presigned URL of the store when it has them, else as a stream; null when there
 * is no such file.
 */
export async function openFile(
  key: string,
  variant: FileVariant,
  link: { expires: number; download: boolean },
): Promise<ServedFile | null> {
  const storage = await store();
  const served = variant === "thumbnail" ? await ensureThumbnail(key) : key;
  if (!served) return null;
  const type = contentType(served);
  const from = link.expires - URL_WINDOW_SECONDS - URL_MIN_LIFE_SECONDS;
  const direct = await storage.directUrl(served, {
    from,
    expires: link.expires,
    contentType: type,
    download: link.download ? fileName(key) : undefined,
  });
  if (direct) return { redirect: direct };
  const file = await storage.open(served);
  return file && { ...file, type };
}

export function fileName(key: string): string {
  return key.split("/").pop() ?? "image";
}

// Files that no row refers to: an output written before its transaction failed, an upload whose request
// died before its job was created, a job that was erased while a worker still wrote its results, a
// temporary file left by a crash. They are deleted once they are older than the grace period, which is
// far longer than any write takes to get its row, so a file whose row is about to be written stays.

/** How old an unreferenced file must be before the sweep deletes it. */
export const ORPHAN_GRACE_MS = 24 * 3600 * 1000;

const THUMBNAIL_SUFFIX = ".thumb.webp";

/** The key whose row decides whether a file stays: a thumbnail belongs to its original. */
function ownerKey(key: string): string {
  return key.endsWith(THUMBNAIL_SUFFIX) ? key.slice(0, -THUMBNAIL_SUFFIX.length) : key;
}

async function referencedKeys(shop: string, keys: string[]): Promise<Set<string>> {
  const [outputs, sources] = await Promise.all([
    prisma.output.findMany({ where: { shop, storageKey: { in: keys } }, select: { storageKey: true } }),
    prisma.sourceImage.findMany({ where: { shop, storageKey: { in: keys } }, select: { storageKey: true } }),
  ]);
  return new Set([...outputs.map((o) => o.storageKey), ...sources.flatMap((s) => (s.storageKey ? [s.storageKey] : []))]);
}

async function orphansIn(page: ListedFile[], cutoff: Date): Promise<string[]> {
  const byShop = new Map<string, ListedFile[]>();
  for (const file of page) {
    if (file.modified >= cutoff) continue;
    const shop = file.key.split("/")[0];
    byShop.set(shop, [...(byShop.get(shop) ?? []), file]);
  }
  const orphans: string[] = [];
  for (const [shop, files] of byShop) {
    const referenced = await referencedKeys(shop, [...new Set(files.map((file) => ownerKey(file.key)))]);
    for (const file of files) if (!referenced.has(ownerKey(file.key))) orphans.push(file.key);
  }
  return orphans;
}

/**
 * Deletes stored files that no output or source image refers to and that are older than `graceMs`.
 * Walks the whole store a page at a time; safe to run in several processes at once (a file is only
 * ever deleted, never written, here). Meant for a recurring job: once a day is plenty.
 */
export async function sweepOrphanFiles(
  options: { now?: Date; graceMs?: number; signal?: AbortSignal } = {},
): Promise<{ checked: number; deleted: number }> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.graceMs ?? ORPHAN_GRACE_MS));
  const storage = await store();
  let checked = 0;
  let deleted = 0;
  for await (const page of storage.list("")) {
    if (options.signal?.aborted) break;
    checked += page.length;
    const orphans = await orphansIn(page, cutoff);
    if (orphans.length > 0) await storage.remove(orphans);
    deleted += orphans.length;
  }
  return { checked, deleted };
}

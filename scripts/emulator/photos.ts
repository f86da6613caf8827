import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { createRng, drawSubject, drawSurface, type Subject, type Surface } from "./photo-art";

/**
 * The demo catalogue's photos: phone-like JPEGs drawn procedurally (an object on an everyday surface,
 * with a cast shadow, uneven light, a vignette and sensor noise, a bit off-centre). Deterministic, drawn
 * once and cached on disk, since drawing them all takes seconds.
 */
export const PHOTOS_VERSION = "v4";

export interface PhotoSpec {
  key: string;
  subject: Subject;
  surface: Surface;
  portrait?: boolean;
  /** Stored sideways with EXIF orientation 6, as phones do: viewers must rotate it upright. */
  sideways?: boolean;
  /** Where the object stands, as fractions of the frame, and its size in object units → pixels. */
  x: number;
  y: number;
  scale: number;
  light: "left" | "right";
  /** Fraction of the frame taken by the wall behind the table; 0 for a top view. */
  horizon: number;
  seed: number;
}

export interface DemoPhoto {
  key: string;
  path: string;
  /** Displayed size, after EXIF orientation. */
  width: number;
  height: number;
  fileSize: number;
  mimeType: "image/jpeg";
}

export const PHOTO_SPECS: PhotoSpec[] = [
  { key: "mug-wood", subject: "mug", surface: "wood", x: 0.46, y: 0.74, scale: 1.25, light: "left", horizon: 0.34, seed: 11 },
  {
    key: "mug-counter",
    subject: "mug",
    surface: "marble",
    portrait: true,
    sideways: true,
    x: 0.55,
    y: 0.7,
    scale: 1.15,
    light: "right",
    horizon: 0.3,
    seed: 12,
  },
  { key: "sneaker-floor", subject: "sneaker", surface: "floor", x: 0.53, y: 0.72, scale: 1.25, light: "left", horizon: 0.38, seed: 21 },
  { key: "sneaker-concrete", subject: "sneaker", surface: "concrete", x: 0.47, y: 0.66, scale: 1.05, light: "right", horizon: 0, seed: 22 },
  {
    key: "perfume-linen",
    subject: "perfume",
    surface: "linen",
    portrait: true,
    x: 0.47,
    y: 0.74,
    scale: 1.6,
    light: "left",
    horizon: 0.3,
    seed: 31,
  },
  { key: "perfume-marble", subject: "perfume", surface: "marble", x: 0.55, y: 0.78, scale: 1.3, light: "right", horizon: 0.33, seed: 32 },
  { key: "watch-linen", subject: "watch", surface: "linen", x: 0.52, y: 0.5, scale: 1.0, light: "left", horizon: 0, seed: 41 },
  {
    key: "watch-wood",
    subject: "watch",
    surface: "wood",
    portrait: true,
    x: 0.46,
    y: 0.52,
    scale: 1.15,
    light: "right",
    horizon: 0,
    seed: 42,
  },
  {
    key: "plant-floor",
    subject: "plant",
    surface: "floor",
    portrait: true,
    x: 0.52,
    y: 0.84,
    scale: 1.15,
    light: "left",
    horizon: 0.45,
    seed: 51,
  },
  { key: "bag-floor", subject: "bag", surface: "floor", x: 0.48, y: 0.82, scale: 1.2, light: "right", horizon: 0.42, seed: 61 },
  {
    key: "bag-concrete",
    subject: "bag",
    surface: "concrete",
    portrait: true,
    x: 0.53,
    y: 0.78,
    scale: 1.35,
    light: "left",
    horizon: 0.3,
    seed: 62,
  },
  { key: "pasta-top", subject: "pasta", surface: "wood", x: 0.45, y: 0.5, scale: 1.3, light: "left", horizon: 0, seed: 71 },
  { key: "pasta-linen", subject: "pasta", surface: "linen", x: 0.5, y: 0.53, scale: 1.2, light: "right", horizon: 0, seed: 72 },
  { key: "headphones-wood", subject: "headphones", surface: "wood", x: 0.5, y: 0.78, scale: 1.25, light: "right", horizon: 0.3, seed: 81 },
  {
    key: "headphones-linen",
    subject: "headphones",
    surface: "linen",
    portrait: true,
    x: 0.48,
    y: 0.72,
    scale: 1.5,
    light: "left",
    horizon: 0.28,
    seed: 82,
  },
  { key: "candle-wood", subject: "candle", surface: "wood", x: 0.55, y: 0.74, scale: 1.4, light: "left", horizon: 0.4, seed: 91 },
  {
    key: "candle-marble",
    subject: "candle",
    surface: "marble",
    portrait: true,
    x: 0.5,
    y: 0.72,
    scale: 1.7,
    light: "right",
    horizon: 0.32,
    seed: 92,
  },
];

const LONG_SIDE = 1600;
const SHORT_SIDE = 1200;
/** A lock older than this belongs to a process that died while drawing. */
const STALE_LOCK_MS = 180_000;

export function photoCacheDir(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(dirname(require.resolve("sharp/package.json")));
  return join(root, ".cache", "emulator-photos", PHOTOS_VERSION);
}

let pending: Promise<Map<string, DemoPhoto>> | undefined;

/** Every demo photo on disk, drawing the missing ones. Concurrent callers share one run. */
export function ensureDemoPhotos(): Promise<Map<string, DemoPhoto>> {
  pending ??= loadOrDrawPhotos().catch((error) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function loadOrDrawPhotos(): Promise<Map<string, DemoPhoto>> {
  const dir = photoCacheDir();
  await mkdir(dir, { recursive: true });
  if (PHOTO_SPECS.some((spec) => !existsSync(photoPath(dir, spec)))) await withDirectoryLock(`${dir}.lock`, () => drawMissing(dir));
  const photos = await Promise.all(
    PHOTO_SPECS.map(async (spec): Promise<DemoPhoto> => {
      const path = photoPath(dir, spec);
      const { width, height } = displaySize(spec);
      return { key: spec.key, path, width, height, fileSize: (await stat(path)).size, mimeType: "image/jpeg" };
    }),
  );
  return new Map(photos.map((photo) => [photo.key, photo]));
}

function photoPath(dir: string, spec: PhotoSpec): string {
  return join(dir, `${spec.key}.jpg`);
}

async function drawMissing(dir: string): Promise<void> {
  await Promise.all(
    PHOTO_SPECS.filter((spec) => !existsSync(photoPath(dir, spec))).map(async (spec) => {
      // Written aside and renamed, so that a reader never sees half a file.
      const temporary = `${photoPath(dir, spec)}.${process.pid}.tmp`;
      await writeFile(temporary, await renderPhoto(spec));
      await rename(temporary, photoPath(dir, spec));
    }),
  );
}

/** One process draws while parallel test processes wait, instead of all drawing the same photos. */
async function withDirectoryLock(lock: string, work: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "owner"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (await isStaleLock(lock)) await rm(lock, { recursive: true, force: true });
      else await delay(250);
    }
  }
  try {
    await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** A lock is stale when its owner has died, or it is older than any drawing takes. */
async function isStaleLock(lock: string): Promise<boolean> {
  const info = await stat(lock).catch(() => undefined);
  if (!info) return false;
  if (Date.now() - info.mtimeMs > STALE_LOCK_MS) return true;
  const owner = Number(await readFile(join(lock, "owner"), "utf8").catch(() => ""));
  if (!owner) return Date.now() - info.mtimeMs > 5_000;
  try {
    process.kill(owner, 0);
    return false;
  } catch {
    return true;
  }
}

function displaySize(spec: PhotoSpec): { width: number; height: number } {
  return spec.portrait ? { width: SHORT_SIDE, height: LONG_SIDE } : { width: LONG_SIDE, height: SHORT_SIDE };
}

export async function renderPhoto(spec: PhotoSpec): Promise<Buffer> {
  const { width, height } = displaySize(spec);
  const scene = Buffer.from(composeScene(spec, width, height));
  const drawn = await sharp(scene, { density: 72 }).resize(width, height).blur(0.7).removeAlpha().raw().toBuffer();
  const noisy = addSensorNoise(drawn, spec.seed);
  let image = sharp(noisy, { raw: { width, height, channels: 3 } });
  if (spec.sideways) image = image.rotate(270);
  const exif = { IFD0: { Make: "Google", Model: "Pixel 7", Software: "photo-studio emulator" } };
  return image
    .jpeg({ quality: 86 })
    .withExif(exif)
    .withMetadata(spec.sideways ? { orientation: 6 } : {})
    .toBuffer();
}

function composeScene(spec: PhotoSpec, width: number, height: number): string {
  const rng = createRng(spec.seed);
  const drawing = drawSubject(spec.subject, rng);
  const horizon = spec.horizon * height;
  const scale = (spec.scale * Math.min(width, height)) / 1000;
  const cx = spec.x * width;
  const cy = spec.y * height;
  const away = spec.light === "left" ? 1 : -1;
  const footprint = drawing.width * scale;
  const shadow = drawing.flat
    ? `<g transform="translate(${cx + away * 28 * scale},${cy + 24 * scale}) scale(${scale})" filter="url(#softShadow)" opacity="0.45">
         <g fill="#000" stroke="#000">${silhouette(drawing.svg)}</g></g>`
    : `<ellipse cx="${cx + away * footprint * 0.35}" cy="${cy - 6 * scale}" rx="${footprint * 0.75}" ry="${footprint * 0.11}" fill="#000" opacity="0.38" filter="url(#castShadow)"/>
       <ellipse cx="${cx}" cy="${cy - 2 * scale}" rx="${footprint * 0.52}" ry="${footprint * 0.06}" fill="#000" opacity="0.55" filter="url(#contactShadow)"/>`;
  const lightFrom = spec.light === "left" ? ["0", "1"] : ["1", "0"];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <defs>
      <filter id="castShadow" x="-50%" y="-200%" width="200%" height="500%"><feGaussianBlur stdDeviation="${22 * scale}"/></filter>
      <filter id="contactShadow" x="-50%" y="-200%" width="200%" height="500%"><feGaussianBlur stdDeviation="${6 * scale}"/></filter>
      <filter id="softShadow" x="-30%" y="-30%" width="160%" height="160%"><feGaussianBlur stdDeviation="18"/></filter>
      <linearGradient id="daylight" x1="${lightFrom[0]}" y1="0" x2="${lightFrom[1]}" y2="0.4">
        <stop offset="0" stop-color="#fff6e8" stop-opacity="0.2"/><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.28"/>
      </linearGradient>
      <radialGradient id="vignette" cx="0.5" cy="0.5" r="0.75"><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.5"/></radialGradient>
    </defs>
    ${drawSurface(spec.surface, width, height, spec.seed, horizon)}
    ${shadow}
    <g transform="translate(${cx},${cy}) scale(${scale})">${drawing.svg}</g>
    <rect width="${width}" height="${height}" fill="url(#daylight)"/>
    <rect width="${width}" height="${height}" fill="url(#vignette)"/>
  </svg>`;
}

/** The drawing's shapes without their own definitions and colours, for a top-view shadow. */
function silhouette(svg: string): string {
  return svg
    .replace(/<defs>[\s\S]*?<\/defs>/g, "")
    .replace(/<text[\s\S]*?<\/text>/g, "")
    .replace(/\s(fill|stroke|opacity|filter|clip-path)="[^"]*"/g, "");
}

/** Luma noise with a little colour, seeded, like a phone sensor in indoor light. */
function addSensorNoise(pixels: Buffer, seed: number): Buffer {
  const rng = createRng(seed * 7919);
  const out = Buffer.allocUnsafe(pixels.length);
  for (let i = 0; i < pixels.length; i += 3) {
    const luma = (rng() + rng() + rng() - 1.5) * 14;
    for (let c = 0; c < 3; c++) {
      const value = pixels[i + c] + luma + (rng() - 0.5) * 5;
      out[i + c] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
  return out;
}

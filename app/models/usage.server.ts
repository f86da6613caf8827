import { randomUUID } from "node:crypto";
import { prisma } from "~/infra/db.server";
import { getStudioConfig } from "~/infra/studio-config.server";
import { pricePerImageUsd } from "~/studio";
import type { Prisma } from "~/generated/prisma/sqlite/client";
import { render, type Message } from "~/i18n/index";

// Images made per shop and month, their estimated cost, and the monthly cap as a reservation: a job on a
// paid provider holds its planned images before it is queued (so concurrent requests cannot all pass
// the cap), and its attempt settles them (images made) or releases them (failed, cancelled), once.

export type Tx = Prisma.TransactionClient;

// Interactive transactions wait for each other on SQLite (one connection per process), and a write can
// wait out the busy timeout for another process: Prisma's defaults (2 s / 5 s) are too short for that.
export const TRANSACTION = { maxWait: 15_000, timeout: 30_000 } as const;

/**
 * The estimated price of one image from `provider` at `size` px (its longer side), in millionths of a
 * dollar: the engine's model registry, for the model the provider is configured with. The one price
 * lookup the cap and the usage figures use.
 */
export function imagePriceMicros(provider: string, size = 2048, options: { batch?: boolean } = {}): number {
  if (provider !== "gemini" && provider !== "openai-compatible") return 0;
  const config = getStudioConfig();
  const model = provider === "gemini" ? config.gemini?.model : config.openaiCompatible?.model;
  return Math.round(pricePerImageUsd(provider, model ?? "unknown", size, options) * 1_000_000);
}

/** The cap counts what costs money: the local provider is free and never capped. */
export function isCapped(provider: string): boolean {
  return imagePriceMicros(provider) > 0;
}

/** What one run of a job makes: one white-background image, or one image per lifestyle scene. */
export function plannedImages(mode: string, options: unknown): number {
  if (mode !== "lifestyle") return 1;
  const count = (options as { count?: unknown } | null)?.count;
  return typeof count === "number" && count > 0 ? count : 3;
}

export function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

export interface Capacity {
  cap: number | null;
  /** Paid images made plus those reserved by unfinished jobs. */
  used: number;
  /** How many more images fit; null without a cap. */
  left: number | null;
}

export async function getCapacity(shop: string, cap: number | null, db: Tx = prisma): Promise<Capacity> {
  const row = await db.usage.findUnique({ where: { shop_month: { shop, month: currentMonth() } } });
  const used = (row?.paidImages ?? 0) + (row?.reserved ?? 0);
  return { cap, used, left: cap == null ? null : Math.max(0, cap - used) };
}

/**
 * An early refusal, before any work is done for a request that clearly does not fit: CapReachedError
 * when `needed` (images per job) exceeds what is left. The reservation is what holds under concurrency.
 */
export async function refuseIfNoRoom(shop: string, cap: number | null, needed: number[]) {
  if (cap == null || needed.length === 0) return;
  const capacity = await getCapacity(shop, cap);
  if (capacity.left! < needed.reduce((sum, images) => sum + images, 0)) throw new CapReachedError(capacity, needed);
}

/**
 * Holds `images` of this month's cap, in one conditional UPDATE that holds under concurrency on SQLite
 * (one writer at a time) and PostgreSQL (the row lock re-checks the condition). Without a cap the images
 * are still reserved, so a cap set later counts the jobs already running. Call it first in a transaction:
 * on SQLite a transaction that starts by writing takes the write lock at once instead of failing when
 * another process wrote in between.
 */
export async function reserveImages(tx: Tx, shop: string, images: number, cap: number | null): Promise<string | null> {
  const month = currentMonth();
  await tx.$executeRaw`INSERT INTO "Usage" ("id", "shop", "month", "updatedAt") VALUES (${randomUUID()}, ${shop}, ${month}, ${new Date()}) ON CONFLICT ("shop", "month") DO NOTHING`;
  const reserved =
    cap == null
      ? await tx.$executeRaw`UPDATE "Usage" SET "reserved" = "reserved" + ${images} WHERE "shop" = ${shop} AND "month" = ${month}`
      : await tx.$executeRaw`UPDATE "Usage" SET "reserved" = "reserved" + ${images} WHERE "shop" = ${shop} AND "month" = ${month} AND "paidImages" + "reserved" + ${images} <= ${cap}`;
  return reserved === 1 ? month : null;
}

/** Gives back a job's reservation; the caller has already cleared it on the job row, conditionally, so this runs once. */
export async function releaseImages(tx: Tx, shop: string, month: string, images: number) {
  if (images <= 0) return;
  await tx.usage.updateMany({ where: { shop, month }, data: { reserved: { decrement: images } } });
}

/**
 * Counts what an attempt made and gives back its reservation, in the caller's transaction with the
 * outputs. Paid images go to the reservation's month, so a job that runs over midnight at the end of a
 * month never pushes the next month past its cap. `batchImages` of them came from Google's Batch API
 * and are priced as such; the rest at the interactive price.
 */
export async function settleImages(
  tx: Tx,
  shop: string,
  provider: string,
  made: number,
  reservation: { month: string | null; images: number },
  size?: number,
  batchImages = 0,
) {
  const month = reservation.month ?? currentMonth();
  const paid = isCapped(provider) ? made : 0;
  const batched = Math.min(made, batchImages);
  const cost = imagePriceMicros(provider, size, { batch: true }) * batched + imagePriceMicros(provider, size) * (made - batched);
  await tx.usage.upsert({
    where: { shop_month: { shop, month } },
    create: { shop, month, images: made, paidImages: paid, costMicros: cost },
    update: {
      images: { increment: made },
      paidImages: { increment: paid },
      costMicros: { increment: cost },
      reserved: { decrement: reservation.month ? reservation.images : 0 },
    },
  });
}

export async function getUsage(shop: string, month = currentMonth()) {
  const row = await prisma.usage.findUnique({ where: { shop_month: { shop, month } } });
  return {
    month,
    images: row?.images ?? 0,
    paidImages: row?.paidImages ?? 0,
    reserved: row?.reserved ?? 0,
    costUsd: (row?.costMicros ?? 0) / 1_000_000,
  };
}

/**
 * A request the cap has no room for, refused before anything is stored or queued (HTTP 402). `fit` is
 * how many of the requested jobs would have fitted, in the order asked.
 */
export class CapReachedError extends Error {
  readonly fit: number;
  /** What the merchant is told, rendered by the page; the error's own message is its English, for logs. */
  readonly reason: Message;

  constructor(
    readonly capacity: Capacity,
    readonly needed: number[],
  ) {
    const fit = countFitting(capacity.left ?? Infinity, needed);
    const reason = capReason(capacity, needed, fit);
    super(render("en", reason));
    this.fit = fit;
    this.reason = reason;
  }
}

function countFitting(left: number, needed: number[]) {
  let fit = 0;
  for (const images of needed) {
    if (images > left) break;
    left -= images;
    fit++;
  }
  return fit;
}

function capReason({ cap, used, left }: Capacity, needed: number[], fit: number): Message {
  const total = needed.reduce((sum, images) => sum + images, 0);
  const state = { used, cap: cap ?? 0 };
  if (needed.length > 1) {
    return fit === 0
      ? { code: "CAP_NONE_FIT", values: { ...state, products: needed.length } }
      : { code: "CAP_SOME_FIT", values: { ...state, products: needed.length, fit, needed: total } };
  }
  return left ? { code: "CAP_NO_ROOM", values: { ...state, needed: total, left } } : { code: "CAP_REACHED", values: state };
}

import { env } from "~/infra/env.server";
import { prisma } from "~/infra/db.server";
import { tryRedis } from "~/infra/queue.server";
import type { AdminApi } from "~/shopify/admin-api.server";
import { readCatalog, type BulkReadOptions, type CatalogProduct } from "~/shopify/bulk-read.server";
import { COLLECTIONS_FOR_PICKER_QUERY } from "~/shopify/documents";
import type { BatchProduct } from "~/models/batch-create.server";

// The catalogue as a whole, for the home page: selections of any size read with bulk operations, and
// coverage (how many products' main image is a white-background image).
//
// How compliance is known: from the app's own record. A product's main image (its first media) is
// compliant when it is the Shopify media of a white-background output this app published and has not
// taken off again. The app only publishes a white output that passed its own checks (pure #FFFFFF
// border, fill, size), so its record says more than a guess from the photo would; and counting needs no
// download of 5,000 images. A white photo the merchant made elsewhere counts as not yet compliant: a
// batch for it costs one job, which the app's checks then pass or report.

export type CatalogueSelection = { kind: "all" } | { kind: "collection"; collectionId: string } | { kind: "noncompliant" };

export interface Coverage {
  total: number;
  /** Products whose main image is a white-background output of this app. */
  compliant: number;
  /** Products with photos whose main image is not: what "make the rest" queues. */
  missing: number;
  /** Products without any photo: nothing to work from. */
  noPhotos: number;
}

/** The Shopify media ids of the white-background outputs this shop has published and not taken off. */
export async function compliantMediaIds(shop: string): Promise<Set<string>> {
  const rows = await prisma.output.findMany({
    where: { shop, reviewState: "published", removedAt: null, shopifyMediaId: { not: null }, job: { shop, mode: "white" } },
    select: { shopifyMediaId: true },
  });
  return new Set(rows.map((row) => row.shopifyMediaId!));
}

export function isCompliant(product: CatalogProduct, compliant: ReadonlySet<string>): boolean {
  return Boolean(product.featuredImage && compliant.has(product.featuredImage.id));
}

/** Reads the whole catalogue with one bulk operation and counts its coverage. */
export async function readCoverage(api: AdminApi, opts: BulkReadOptions = {}): Promise<Coverage> {
  const compliant = await compliantMediaIds(api.shop);
  const coverage: Coverage = { total: 0, compliant: 0, missing: 0, noPhotos: 0 };
  for await (const product of readCatalog(api, { kind: "all" }, opts)) {
    coverage.total++;
    if (isCompliant(product, compliant)) coverage.compliant++;
    else if (product.images.length === 0) coverage.noPhotos++;
    else coverage.missing++;
  }
  return coverage;
}

/** How long a shop's coverage is reused: a merchant's own edits in the admin show up within this. */
export const COVERAGE_TTL_SECONDS = 600;

/**
 * What the app's own record says about the shop's catalogue: its published and restored outputs (how
 * many in each state, and the latest change to each) and its latest batch. A publish, a restore, a failed
 * restore that leaves an image published again, or a new batch changes it, whichever process made the
 * change and whether or not Redis answered at that moment. Two indexed reads, no clocks compared.
 */
async function coverageFingerprint(shop: string): Promise<string> {
  const [states, batch] = await Promise.all([
    prisma.output.groupBy({
      by: ["reviewState"],
      where: { shop, reviewState: { in: ["published", "restored"] } },
      _count: { _all: true },
      _max: { updatedAt: true },
    }),
    prisma.batch.findFirst({ where: { shop }, orderBy: { createdAt: "desc" }, select: { id: true } }),
  ]);
  const outputs = states
    .map((state) => `${state.reviewState}:${state._count._all}:${state._max.updatedAt?.getTime() ?? 0}`)
    .sort()
    .join(",");
  return `${outputs}|${batch?.id ?? ""}`;
}

/**
 * The shop's coverage, from the cache (Redis, COVERAGE_TTL_SECONDS) while the app's record is as it was
 * when the cached one was read; otherwise read again (one bulk operation) and cached. The record is
 * taken before the read, so a change made while a read runs makes the next load read again. Without
 * Redis it is read every time, as before the cache.
 */
export async function cachedCoverage(api: AdminApi, opts: BulkReadOptions = {}): Promise<Coverage> {
  const key = `${env.QUEUE_PREFIX}:coverage:${api.shop}`;
  const [cached, fingerprint] = await Promise.all([tryRedis((redis) => redis.get(key)), coverageFingerprint(api.shop)]);
  if (cached) {
    const entry = JSON.parse(cached) as { fingerprint: string; coverage: Coverage };
    if (entry.fingerprint === fingerprint) return entry.coverage;
  }
  const coverage = await readCoverage(api, opts);
  await tryRedis((redis) => redis.set(key, JSON.stringify({ fingerprint, coverage }), "EX", COVERAGE_TTL_SECONDS));
  return coverage;
}

/**
 * The products of a selection, as a batch takes them, read with one bulk operation and streamed (a
 * product's media are dropped as soon as its sources are picked). "noncompliant" leaves out compliant
 * products and those without photos.
 */
export async function selectProducts(api: AdminApi, selection: CatalogueSelection, opts: BulkReadOptions = {}): Promise<BatchProduct[]> {
  const compliant = selection.kind === "noncompliant" ? await compliantMediaIds(api.shop) : null;
  const products: BatchProduct[] = [];
  const read = selection.kind === "collection" ? readCatalog(api, selection, opts) : readCatalog(api, { kind: "all" }, opts);
  for await (const product of read) {
    if (compliant && (product.images.length === 0 || isCompliant(product, compliant))) continue;
    products.push({
      id: product.id,
      title: product.title,
      images: product.images.map(({ id, url, width, height }) => ({ id, url, width, height })),
    });
  }
  return products;
}

export async function listCollections(api: AdminApi): Promise<{ id: string; title: string }[]> {
  const { collections } = await api.request(COLLECTIONS_FOR_PICKER_QUERY, { first: 250 });
  return collections.nodes;
}

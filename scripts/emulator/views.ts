import { GraphQLError } from "graphql";
import { readMediaStatus, type MediaRecord, type ProductRecord, type ShopRecord } from "./state";

/**
 * GraphQL-shaped views of the store. Fields are plain values or functions of the field's arguments:
 * graphql-js calls them, so the emulator needs no per-type resolver table.
 */
export interface ViewContext {
  shop: ShopRecord;
  origin: string;
  now: number;
}

type Args = Record<string, unknown>;

const MAX_PAGE_SIZE = 250;

export function viewProduct(ctx: ViewContext, product: ProductRecord) {
  const media = () => product.mediaIds.map((id) => ctx.shop.media.get(id)).filter((m): m is MediaRecord => Boolean(m));
  return {
    __typename: "Product",
    id: product.id,
    legacyResourceId: String(product.numericId),
    title: product.title,
    handle: product.handle,
    status: product.status,
    productType: product.productType,
    vendor: product.vendor,
    tags: product.tags,
    descriptionHtml: product.descriptionHtml,
    description: (args: Args) => truncate(stripHtml(product.descriptionHtml), args.truncateAt as number | undefined),
    createdAt: new Date(product.createdAt).toISOString(),
    updatedAt: new Date(product.updatedAt).toISOString(),
    onlineStoreUrl: null,
    onlineStorePreviewUrl: `https://${ctx.shop.domain}/products/${product.handle}`,
    hasOnlyDefaultVariant: true,
    isGiftCard: false,
    totalInventory: 0,
    featuredMedia: () => {
      const first = media()[0];
      return first ? viewMedia(ctx, first) : null;
    },
    media: (args: Args) =>
      paginate(
        media(),
        args,
        (m) => viewMedia(ctx, m),
        (m) => m.numericId,
      ),
    mediaCount: () => ({ count: product.mediaIds.length, precision: "EXACT" }),
  };
}

export function viewMedia(ctx: ViewContext, media: MediaRecord) {
  const status = readMediaStatus(media, ctx.now);
  const ready = status === "READY";
  const failed = status === "FAILED" && media.failure;
  const image = ready ? viewImage(ctx, media) : null;
  return {
    __typename: "MediaImage",
    id: media.id,
    alt: media.alt,
    status,
    fileStatus: status,
    mediaContentType: "IMAGE",
    mimeType: media.mimeType,
    createdAt: new Date(media.createdAt).toISOString(),
    updatedAt: new Date(media.updatedAt).toISOString(),
    image,
    preview: { status, image },
    mediaErrors: failed ? [{ code: media.failure!.code, message: media.failure!.message, details: null }] : [],
    mediaWarnings: [],
    fileErrors: failed ? [{ code: media.failure!.code, message: media.failure!.message, details: null }] : [],
    originalSource: { url: media.originalSource, fileSize: media.fileSize },
  };
}

function viewImage(ctx: ViewContext, media: MediaRecord) {
  const base = cdnUrl(ctx.origin, ctx.shop.domain, media);
  return {
    id: `gid://shopify/ImageSource/${media.numericId}`,
    altText: media.alt,
    width: media.width ?? null,
    height: media.height ?? null,
    thumbhash: null,
    url: (args: Args) => applyTransform(base, args.transform as Record<string, unknown> | undefined),
  };
}

/**
 * Where the emulator's CDN serves a media, like cdn.shopify.com/s/files/…/files/name.jpg?v=…: by the file's
 * name, which is unique in the shop (see claimFilename).
 */
export function cdnUrl(origin: string, shop: string, media: MediaRecord): string {
  return `${origin}/cdn/s/files/${shop}/files/${encodeURIComponent(media.filename)}?v=${Math.floor(media.updatedAt / 1000)}`;
}

/** ImageTransformInput becomes CDN query parameters, which the emulator's CDN applies with sharp. */
function applyTransform(url: string, transform: Record<string, unknown> | undefined): string {
  if (!transform) return url;
  const params = new URLSearchParams();
  if (typeof transform.maxWidth === "number") params.set("width", String(transform.maxWidth));
  if (typeof transform.maxHeight === "number") params.set("height", String(transform.maxHeight));
  if (typeof transform.preferredContentType === "string") params.set("format", transform.preferredContentType.toLowerCase());
  const extra = params.toString();
  return extra ? `${url}&${extra}` : url;
}

export function paginate<T, V>(items: T[], args: Args, toNode: (item: T) => V, idOf: (item: T) => number) {
  const first = args.first as number | undefined | null;
  const last = args.last as number | undefined | null;
  if (first == null && last == null) throw new GraphQLError("you must provide one of first or last");
  if ((first ?? 0) > MAX_PAGE_SIZE || (last ?? 0) > MAX_PAGE_SIZE) {
    throw new GraphQLError(`The requested page size exceeds the maximum of ${MAX_PAGE_SIZE}.`);
  }
  const ordered = args.reverse ? [...items].reverse() : items;
  let start = 0;
  let end = ordered.length;
  if (typeof args.after === "string") start = readCursor(args.after) + 1;
  if (typeof args.before === "string") end = readCursor(args.before);
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const page = ordered.slice(start, end).map((item, offset) => ({ item, index: start + offset }));
  const cursor = (entry: { item: T; index: number }) =>
    Buffer.from(JSON.stringify({ last_id: idOf(entry.item), index: entry.index })).toString("base64");
  return {
    nodes: page.map((entry) => toNode(entry.item)),
    edges: page.map((entry) => ({ cursor: cursor(entry), node: toNode(entry.item) })),
    pageInfo: {
      hasNextPage: end < ordered.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursor(page[0]) : null,
      endCursor: page.length ? cursor(page[page.length - 1]) : null,
    },
  };
}

function readCursor(cursor: string): number {
  try {
    const { index } = JSON.parse(Buffer.from(cursor, "base64").toString("utf8"));
    if (Number.isInteger(index)) return index;
  } catch {
    // fall through to the error Shopify gives for a cursor it did not issue
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`);
}

/** A String, ID or Decimal argument as text (GraphQL variables give a Decimal as a string or a number); anything else is empty. */
export function scalarText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

export function stripHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function truncate(text: string, at: number | undefined): string {
  if (!at || text.length <= at) return text;
  return `${text.slice(0, Math.max(0, at - 3)).trimEnd()}...`;
}

import { GraphQLError } from "graphql";
import { findBillingNode, viewInstallationBilling, viewShopPlan } from "./billing";
import { createBulkQueryFields, findBulkOperation } from "./bulk";
import { createCollectionQueryFields, findCollection, isInCollection } from "./collections";
import { shopNumericId, type EmulatorState, type ProductRecord, type ShopRecord, type TokenRecord } from "./state";
import { paginate, viewMedia, viewProduct, type ViewContext } from "./views";

type Args = Record<string, unknown>;

export interface RequestContext extends ViewContext {
  token: TokenRecord;
  state: EmulatorState;
}

/** The QueryRoot fields the app uses; any other root field answers "not implemented by the emulator". */
export function createQueryRoot(ctx: RequestContext) {
  const root: Record<string, unknown> = {
    shop: () => ({
      id: `gid://shopify/Shop/${shopNumericId(ctx.shop.domain)}`,
      name: ctx.shop.name,
      myshopifyDomain: ctx.shop.domain,
      currencyCode: ctx.shop.currencyCode,
      email: `owner@${ctx.shop.domain}`,
      contactEmail: `owner@${ctx.shop.domain}`,
      ianaTimezone: "America/New_York",
      url: `https://${ctx.shop.domain}`,
      primaryDomain: {
        id: `gid://shopify/Domain/${shopNumericId(ctx.shop.domain)}`,
        host: ctx.shop.domain,
        url: `https://${ctx.shop.domain}`,
        sslEnabled: true,
      },
      plan: viewShopPlan(ctx.shop),
    }),
    currentAppInstallation: () => ({
      id: `gid://shopify/AppInstallation/${shopNumericId(ctx.shop.domain)}`,
      accessScopes: ctx.token.scope
        .split(",")
        .filter(Boolean)
        .map((handle) => ({ handle, description: handle })),
      ...viewInstallationBilling(ctx),
    }),
    // `published` defaults to false in the schema, meaning "all locales"; true keeps the published ones.
    shopLocales: (args: Args) =>
      ctx.shop.locales.filter((l) => args.published !== true || l.published).map((l) => ({ ...l, marketWebPresences: [] })),
    products: (args: Args) => {
      const found = sortProducts(
        searchProducts([...ctx.shop.products.values()], args.query as string | undefined, ctx.shop),
        args.sortKey as string | undefined,
      );
      return paginate(
        found,
        args,
        (p) => viewProduct(ctx, p),
        (p) => p.numericId,
      );
    },
    product: (args: Args) => {
      const product = ctx.shop.products.get(args.id as string);
      return product ? viewProduct(ctx, product) : null;
    },
    node: (args: Args) => findNode(ctx, args.id as string),
    nodes: (args: Args) => (args.ids as string[]).map((id) => findNode(ctx, id)),
    job: (args: Args) => {
      const job = ctx.shop.jobs.get(args.id as string);
      if (!job) return null;
      return { id: job.id, done: ctx.now >= job.doneAt, query: root };
    },
    ...createCollectionQueryFields(ctx),
    ...createBulkQueryFields(ctx),
  };
  return root;
}

function findNode(ctx: RequestContext, id: string) {
  const match = /^gid:\/\/shopify\/(\w+)\/(\d+)$/.exec(id);
  if (!match) throw new GraphQLError(`Invalid global id '${id}'`, { extensions: { code: "argumentLiteralsIncompatible" } });
  if (match[1] === "Product") {
    const product = ctx.shop.products.get(id);
    return product ? viewProduct(ctx, product) : null;
  }
  if (match[1] === "MediaImage") {
    const media = ctx.shop.media.get(id);
    return media ? viewMedia(ctx, media) : null;
  }
  if (match[1] === "Collection") return findCollection(ctx, id);
  if (match[1] === "BulkOperation") return findBulkOperation(ctx, id);
  return findBillingNode(ctx, match[1], id) ?? null;
}

/**
 * Shopify's search syntax, the part the app needs: free words match title, vendor, type or tags;
 * `field:value` filters on title, status, product_type, vendor, tag, handle, id and collection_id; quotes
 * group words.
 */
export function searchProducts(products: ProductRecord[], query: string | undefined, shop: ShopRecord): ProductRecord[] {
  if (!query?.trim()) return products;
  const terms = query.match(/(?:[^\s"]+:)?"[^"]*"|\S+/g) ?? [];
  return products.filter((product) =>
    terms.every((term) => {
      if (/^(AND|OR)$/i.test(term)) return true;
      const negate = term.startsWith("-");
      const [, field, rawValue] = /^-?(?:(\w+):)?(.*)$/.exec(term)!;
      const value = rawValue.replace(/^"|"$/g, "").toLowerCase();
      const wildcard = value.endsWith("*");
      const needle = wildcard ? value.slice(0, -1) : value;
      const matches =
        field?.toLowerCase() === "collection_id"
          ? isInCollection(shop, needle, product)
          : matchField(product, field?.toLowerCase(), needle, wildcard);
      return negate ? !matches : matches;
    }),
  );
}

function matchField(product: ProductRecord, field: string | undefined, needle: string, prefix: boolean): boolean {
  const equals = (candidate: string) => (prefix ? candidate.toLowerCase().startsWith(needle) : candidate.toLowerCase() === needle);
  switch (field) {
    case "title":
      return product.title.toLowerCase().includes(needle);
    case "status":
      return equals(product.status);
    case "product_type":
      return equals(product.productType);
    case "vendor":
      return equals(product.vendor);
    case "tag":
      return product.tags.some(equals);
    case "handle":
      return equals(product.handle);
    case "id":
      return equals(String(product.numericId));
    default:
      return [product.title, product.vendor, product.productType, ...product.tags].some((text) => text.toLowerCase().includes(needle));
  }
}

function sortProducts(products: ProductRecord[], sortKey: string | undefined): ProductRecord[] {
  const keyOf: Record<string, (p: ProductRecord) => string | number> = {
    TITLE: (p) => p.title.toLowerCase(),
    CREATED_AT: (p) => p.createdAt,
    UPDATED_AT: (p) => p.updatedAt,
    PRODUCT_TYPE: (p) => p.productType.toLowerCase(),
    VENDOR: (p) => p.vendor.toLowerCase(),
    ID: (p) => p.numericId,
  };
  const key = keyOf[sortKey ?? "ID"] ?? keyOf.ID;
  return [...products].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.numericId - b.numericId;
  });
}

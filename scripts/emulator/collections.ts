import { GraphQLError } from "graphql";
import { takeId, type EmulatorState, type ProductRecord, type ShopRecord } from "./state";
import { paginate, stripHtml, viewProduct, type ViewContext } from "./views";

/**
 * Custom (manual) collections: a title and an ordered list of products. Kept beside the shop record
 * rather than on it, so the store's shape stays the same for everything that does not use them.
 */
export interface CollectionRecord {
  id: string;
  numericId: number;
  title: string;
  handle: string;
  descriptionHtml: string;
  productIds: string[];
  updatedAt: number;
}

type Args = Record<string, unknown>;

const collectionsByShop = new WeakMap<ShopRecord, Map<string, CollectionRecord>>();

export function collectionsOf(shop: ShopRecord): Map<string, CollectionRecord> {
  let collections = collectionsByShop.get(shop);
  if (!collections) collectionsByShop.set(shop, (collections = new Map()));
  return collections;
}

export function addCollection(
  state: EmulatorState,
  shop: ShopRecord,
  input: { title: string; productIds: string[]; descriptionHtml?: string },
): CollectionRecord {
  const unknown = input.productIds.filter((id) => !shop.products.has(id));
  if (unknown.length) throw new Error(`Unknown products for a collection: ${unknown.slice(0, 3).join(", ")}`);
  const numericId = takeId(state);
  const record: CollectionRecord = {
    id: `gid://shopify/Collection/${numericId}`,
    numericId,
    title: input.title,
    handle: input.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, ""),
    descriptionHtml: input.descriptionHtml ?? "",
    productIds: [...new Set(input.productIds)],
    updatedAt: Date.now(),
  };
  collectionsOf(shop).set(record.id, record);
  return record;
}

/** The demo catalogue's collections, by product type; with a repeated catalogue each holds every copy. */
const DEMO_COLLECTIONS: { title: string; productTypes: string[] }[] = [
  { title: "Kitchen & Dining", productTypes: ["Mugs", "Meal Kits"] },
  { title: "Home & Living", productTypes: ["Candles", "Plants"] },
  { title: "Accessories", productTypes: ["Watches", "Bags", "Fragrance"] },
  { title: "Shoes & Audio", productTypes: ["Shoes", "Audio"] },
];

export function seedCollections(state: EmulatorState, shop: ShopRecord): void {
  const products = [...shop.products.values()];
  for (const { title, productTypes } of DEMO_COLLECTIONS) {
    const productIds = products.filter((p) => productTypes.includes(p.productType)).map((p) => p.id);
    addCollection(state, shop, { title, productIds, descriptionHtml: `<p>${productTypes.join(", ")}.</p>` });
  }
}

export function isInCollection(shop: ShopRecord, collectionNumericId: string, product: ProductRecord): boolean {
  const collection = collectionsOf(shop).get(`gid://shopify/Collection/${collectionNumericId}`);
  return collection?.productIds.includes(product.id) ?? false;
}

export function findCollection(ctx: ViewContext, id: string) {
  const collection = collectionsOf(ctx.shop).get(id);
  return collection ? viewCollection(ctx, collection) : null;
}

/** QueryRoot fields for collections, spread into the emulator's query root. */
export function createCollectionQueryFields(ctx: ViewContext) {
  return {
    collection: (args: Args) => findCollection(ctx, args.id as string),
    collections: (args: Args) => {
      const found = sortCollections(searchCollections(ctx.shop, args.query as string | undefined), args.sortKey as string | undefined);
      return paginate(
        found,
        args,
        (c) => viewCollection(ctx, c),
        (c) => c.numericId,
      );
    },
  };
}

function viewCollection(ctx: ViewContext, collection: CollectionRecord) {
  const products = () => collection.productIds.map((id) => ctx.shop.products.get(id)).filter((p): p is ProductRecord => Boolean(p));
  return {
    __typename: "Collection",
    id: collection.id,
    legacyResourceId: String(collection.numericId),
    title: collection.title,
    handle: collection.handle,
    descriptionHtml: collection.descriptionHtml,
    description: (args: Args) => {
      const text = stripHtml(collection.descriptionHtml);
      const at = args.truncateAt as number | undefined;
      return at && text.length > at ? `${text.slice(0, Math.max(0, at - 3)).trimEnd()}...` : text;
    },
    updatedAt: new Date(collection.updatedAt).toISOString(),
    sortOrder: "MANUAL",
    templateSuffix: null,
    image: null,
    seo: { title: null, description: null },
    hasProduct: (args: Args) => collection.productIds.includes(args.id as string),
    productsCount: () => ({ count: products().length, precision: "EXACT" }),
    products: (args: Args) =>
      paginate(
        sortCollectionProducts(products(), args.sortKey as string | undefined),
        args,
        (p) => viewProduct(ctx, p),
        (p) => p.numericId,
      ),
  };
}

/** ProductCollectionSortKeys: the manual order (COLLECTION_DEFAULT, MANUAL), or by title, id or creation. */
function sortCollectionProducts(products: ProductRecord[], sortKey: string | undefined): ProductRecord[] {
  const keyOf: Record<string, ((p: ProductRecord) => string | number) | undefined> = {
    TITLE: (p) => p.title.toLowerCase(),
    ID: (p) => p.numericId,
    CREATED: (p) => p.createdAt,
  };
  const key = keyOf[sortKey ?? "COLLECTION_DEFAULT"];
  if (!key) {
    if (sortKey && !["COLLECTION_DEFAULT", "MANUAL", "RELEVANCE"].includes(sortKey)) {
      throw new GraphQLError(`The emulator does not sort collection products by ${sortKey}.`);
    }
    return products;
  }
  return [...products].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.numericId - b.numericId;
  });
}

/** The collections search filters the emulator knows: title, handle, id, product_id and free words in the title. */
function searchCollections(shop: ShopRecord, query: string | undefined): CollectionRecord[] {
  const all = [...collectionsOf(shop).values()];
  if (!query?.trim()) return all;
  const terms = query.match(/(?:[^\s"]+:)?"[^"]*"|\S+/g) ?? [];
  return all.filter((collection) =>
    terms.every((term) => {
      if (/^(AND)$/i.test(term)) return true;
      const [, field, rawValue] = /^(?:(\w+):)?(.*)$/.exec(term)!;
      const value = rawValue.replace(/^"|"$/g, "").toLowerCase();
      switch (field?.toLowerCase()) {
        case "handle":
          return collection.handle === value;
        case "id":
          return String(collection.numericId) === value;
        case "product_id":
          return collection.productIds.includes(`gid://shopify/Product/${value}`);
        case "collection_type":
          return value === "custom";
        default:
          return collection.title.toLowerCase().includes(value);
      }
    }),
  );
}

function sortCollections(collections: CollectionRecord[], sortKey: string | undefined): CollectionRecord[] {
  const keyOf: Record<string, (c: CollectionRecord) => string | number> = {
    ID: (c) => c.numericId,
    TITLE: (c) => c.title.toLowerCase(),
    UPDATED_AT: (c) => c.updatedAt,
    RELEVANCE: (c) => c.numericId,
  };
  const key = keyOf[sortKey ?? "ID"] ?? keyOf.ID;
  return [...collections].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.numericId - b.numericId;
  });
}

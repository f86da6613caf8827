import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index";
import { postGraphql } from "./test-client";

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ seedDemoShop: false });
});

afterAll(() => emu.close());

function openShop(productCount?: number) {
  const shop = `collections-${randomUUID().slice(0, 8)}.myshopify.com`;
  emu.addShop(shop, { seed: true, productCount });
  const token = emu.issueToken(shop);
  return {
    shop,
    record: emu.state.shops.get(shop)!,
    call: (query: string, variables?: Record<string, unknown>) => postGraphql(emu, shop, token, query, variables),
  };
}

describe("collections", () => {
  it("seeds the demo collections by product type and lists them with their products", async () => {
    const { call, record } = openShop(18);
    const { body } = await call(
      `{ collections(first: 10, sortKey: TITLE) { nodes { title productsCount { count } products(first: 3) { nodes { title productType } } } } }`,
    );
    const collections = body.data.collections.nodes;
    expect(collections.map((c: { title: string }) => c.title)).toEqual([
      "Accessories",
      "Home & Living",
      "Kitchen & Dining",
      "Shoes & Audio",
    ]);
    const kitchen = collections.find((c: { title: string }) => c.title === "Kitchen & Dining");
    const expected = [...record.products.values()].filter((p) => ["Mugs", "Meal Kits"].includes(p.productType));
    expect(kitchen.productsCount.count).toBe(expected.length);
    expect(kitchen.products.nodes).toEqual(expected.slice(0, 3).map((p) => ({ title: p.title, productType: p.productType })));
  });

  it("answers collection(id:) and node(id:), and null for an id that is not the shop's", async () => {
    const { shop, call, record } = openShop();
    const products = [...record.products.values()].slice(0, 3);
    const id = emu.addCollection(shop, { title: "Summer Picks", productIds: products.map((p) => p.id) });
    const byId = await call(
      `query C($id: ID!) { collection(id: $id) { id title handle hasProduct(id: "${products[1].id}") products(first: 5, reverse: true) { nodes { id } } } }`,
      { id },
    );
    expect(byId.body.data.collection).toEqual({
      id,
      title: "Summer Picks",
      handle: "summer-picks",
      hasProduct: true,
      products: { nodes: products.map((p) => ({ id: p.id })).reverse() },
    });
    const node = await call(`query N($id: ID!) { node(id: $id) { ... on Collection { title } } }`, { id });
    expect(node.body.data.node).toEqual({ title: "Summer Picks" });
    const other = openShop();
    const foreign = await other.call(`query C($id: ID!) { collection(id: $id) { id } }`, { id });
    expect(foreign.body.data.collection).toBeNull();
  });

  it("filters products with collection_id: in products(query:), as Shopify's search syntax does", async () => {
    const { shop, call, record } = openShop();
    const chosen = [...record.products.values()].filter((_, i) => i % 3 === 0);
    const id = emu.addCollection(shop, { title: "Every third", productIds: chosen.map((p) => p.id) });
    const numericId = id.split("/").pop();
    const { body } = await call(`{ products(first: 50, query: "collection_id:${numericId}") { nodes { id } } }`);
    expect(body.data.products.nodes).toEqual(chosen.map((p) => ({ id: p.id })));
  });

  it("finds collections by title and by a product they contain", async () => {
    const { shop, call, record } = openShop();
    const product = [...record.products.values()][4];
    emu.addCollection(shop, { title: "Holiday Gifts", productIds: [product.id] });
    const byTitle = await call(`{ collections(first: 5, query: "title:holiday") { nodes { title } } }`);
    expect(byTitle.body.data.collections.nodes).toEqual([{ title: "Holiday Gifts" }]);
    const byProduct = await call(`{ collections(first: 5, query: "product_id:${product.numericId}", sortKey: TITLE) { nodes { title } } }`);
    expect(byProduct.body.data.collections.nodes.map((c: { title: string }) => c.title)).toContain("Holiday Gifts");
  });

  it("needs a products scope to read collections", async () => {
    const { shop } = openShop();
    const token = emu.issueToken(shop, "write_files");
    const { body } = await postGraphql(emu, shop, token, `{ collections(first: 1) { nodes { id } } }`);
    expect(body.errors[0].extensions.code).toBe("ACCESS_DENIED");
  });
});

import { createAdminApiClient } from "@shopify/admin-api-client";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import { DEMO_SHOP, startEmulator, type Emulator } from "./index";
import { postGraphql } from "./test-client";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";

let emulator: Emulator;
let token: string;

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: API_KEY, apiSecret: API_SECRET });
  token = emulator.issueToken(DEMO_SHOP);
});

afterAll(() => emulator.close());

/** getJwt takes the store's name and appends .myshopify.com itself. */
const storeOf = (shop: string) => shop.replace(/\.myshopify\.com$/, "");

async function exchange(shop: string, subjectToken: string, requested: "offline" | "online") {
  const response = await fetch(`${emulator.origin}/${shop}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: subjectToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: `urn:shopify:params:oauth:token-type:${requested}-access-token`,
      expiring: "0",
    }),
  });
  return { status: response.status, body: await response.json() };
}

describe("token exchange", () => {
  it("gives an offline token for a real session token, which then reads the shop", async () => {
    const { token: sessionToken } = await getJwt(storeOf(DEMO_SHOP), API_KEY, API_SECRET);
    const { status, body } = await exchange(DEMO_SHOP, sessionToken, "offline");
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^shpat_/), scope: "write_products,write_files,read_locales" });

    const shop = await postGraphql(emulator, DEMO_SHOP, body.access_token, "{ shop { name myshopifyDomain currencyCode } }");
    expect(shop.body.data.shop).toEqual({ name: "Photo Studio Demo", myshopifyDomain: DEMO_SHOP, currencyCode: "USD" });
  });

  it("gives an online token with the user from the session token's sub", async () => {
    const { token: sessionToken } = await getJwt(storeOf(DEMO_SHOP), API_KEY, API_SECRET, { sub: "4242" });
    const { status, body } = await exchange(DEMO_SHOP, sessionToken, "online");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      access_token: expect.stringMatching(/^shpua_/),
      expires_in: 86399,
      associated_user_scope: "write_products,write_files,read_locales",
      associated_user: { id: 4242, account_owner: true, locale: "en", email_verified: true, collaborator: false },
    });
  });

  it("refuses a session token signed with another secret, or for another shop", async () => {
    const forged = await getJwt(storeOf(DEMO_SHOP), API_KEY, "not-the-secret");
    expect((await exchange(DEMO_SHOP, forged.token, "offline")).body.error).toBe("invalid_subject_token");
    const otherShop = await getJwt("someone-else", API_KEY, API_SECRET);
    expect((await exchange(DEMO_SHOP, otherShop.token, "offline")).status).toBe(400);
  });

  it("creates an unknown shop on exchange, empty unless it is the demo shop", async () => {
    const shop = "fresh-install.myshopify.com";
    const { token: sessionToken } = await getJwt(storeOf(shop), API_KEY, API_SECRET);
    const { body } = await exchange(shop, sessionToken, "offline");
    const products = await postGraphql(emulator, shop, body.access_token, "{ products(first: 5) { nodes { id } } }");
    expect(products.body.data.products.nodes).toEqual([]);
  });
});

describe("authentication", () => {
  it("answers 401 like Shopify once a token is revoked", async () => {
    const revoked = emulator.issueToken(DEMO_SHOP);
    expect((await postGraphql(emulator, DEMO_SHOP, revoked, "{ shop { name } }")).status).toBe(200);
    emulator.revokeToken(revoked);
    const { status, body } = await postGraphql(emulator, DEMO_SHOP, revoked, "{ shop { name } }");
    expect(status).toBe(401);
    expect(body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  });

  it("refuses a token of another shop and answers 404 for an unknown shop", async () => {
    emulator.addShop("other-shop.myshopify.com");
    const foreign = emulator.issueToken("other-shop.myshopify.com");
    expect((await postGraphql(emulator, DEMO_SHOP, foreign, "{ shop { name } }")).status).toBe(401);
    expect((await postGraphql(emulator, "nobody.myshopify.com", token, "{ shop { name } }")).status).toBe(404);
  });

  it("denies a mutation the token has no scope for", async () => {
    const readOnly = emulator.issueToken(DEMO_SHOP, "read_products");
    const { body } = await postGraphql(
      emulator,
      DEMO_SHOP,
      readOnly,
      `mutation { productUpdate(product: {id: "gid://shopify/Product/1", title: "x"}) { userErrors { message } } }`,
    );
    expect(body.errors[0].extensions.code).toBe("ACCESS_DENIED");
  });
});

describe("validation against the published schema", () => {
  it("rejects a field that does not exist", async () => {
    const { status, body } = await postGraphql(emulator, DEMO_SHOP, token, "{ products(first: 1) { nodes { id colour } } }");
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors[0]).toMatchObject({
      message: expect.stringContaining('Cannot query field "colour" on type "Product"'),
      locations: [{ line: 1, column: 35 }],
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
  });

  it("rejects a deprecated field, a deprecated mutation and a deprecated enum value passed as a variable", async () => {
    const field = await postGraphql(emulator, DEMO_SHOP, token, "{ products(first: 1) { nodes { featuredImage { url } } } }");
    expect(field.body.errors[0].message).toMatch(/Product\.featuredImage' is deprecated/);

    const mutation = await postGraphql(
      emulator,
      DEMO_SHOP,
      token,
      `mutation { productDeleteMedia(productId: "gid://shopify/Product/1", mediaIds: []) { deletedMediaIds } }`,
    );
    expect(mutation.body.errors[0].message).toMatch(/productDeleteMedia' is deprecated/);

    const variable = await postGraphql(
      emulator,
      DEMO_SHOP,
      token,
      `mutation Stage($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) { userErrors { message } } }`,
      { input: [{ resource: "PRODUCT_IMAGE", filename: "a.jpg", mimeType: "image/jpeg", httpMethod: "POST" }] },
    );
    expect(variable.body.errors[0].message).toMatch(
      /StagedUploadTargetGenerateUploadResource\.PRODUCT_IMAGE' at \$input\[0\]\.resource is deprecated/,
    );
  });

  it("answers a valid root field it does not emulate with an error, not a crash", async () => {
    const { body } = await postGraphql(emulator, DEMO_SHOP, token, "{ orders(first: 1) { nodes { id } } }");
    expect(body.errors[0].message).toBe("QueryRoot.orders is not implemented by the emulator");
  });
});

describe("catalogue queries", () => {
  it("lists the demo catalogue with media, pages through it and searches it", async () => {
    const query = `query Products($after: String, $query: String) {
      products(first: 5, after: $after, query: $query, sortKey: TITLE) {
        edges { cursor node { title productType vendor tags description(truncateAt: 40) mediaCount { count }
          featuredMedia { ... on MediaImage { status image { url width height } } } } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const first = await postGraphql(emulator, DEMO_SHOP, token, query);
    const page = first.body.data.products;
    expect(page.edges).toHaveLength(5);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0].node.title).toBe("Amber Dusk Eau de Parfum 50 ml");
    expect(page.edges[0].node.description.length).toBeLessThanOrEqual(40);
    expect(page.edges[0].node.featuredMedia).toMatchObject({ status: "READY", image: { width: 1200, height: 1600 } });

    const second = await postGraphql(emulator, DEMO_SHOP, token, query, { after: page.pageInfo.endCursor });
    expect(second.body.data.products.edges).toHaveLength(4);
    expect(second.body.data.products.pageInfo.hasNextPage).toBe(false);

    const found = await postGraphql(emulator, DEMO_SHOP, token, query, { query: "tag:leather" });
    expect(found.body.data.products.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual([
      "Field Automatic Watch",
      "Leather Weekender Tote",
    ]);
  });

  it("serves a product's photo from its CDN URL, resized on request", async () => {
    const { body } = await postGraphql(
      emulator,
      DEMO_SHOP,
      token,
      `{ products(first: 1) { nodes { media(first: 1) { nodes { ... on MediaImage { image { url small: url(transform: {maxWidth: 200}) } } } } } } }`,
    );
    const image = body.data.products.nodes[0].media.nodes[0].image;
    const original = await fetch(image.url);
    expect(original.headers.get("content-type")).toBe("image/jpeg");
    const small = await fetch(image.small);
    const { default: sharp } = await import("sharp");
    expect((await sharp(Buffer.from(await small.arrayBuffer())).metadata()).width).toBe(200);
  });

  it("finds products and media by id through nodes", async () => {
    const listed = await postGraphql(
      emulator,
      DEMO_SHOP,
      token,
      `{ products(first: 1) { nodes { id media(first: 1) { nodes { id } } } } }`,
    );
    const product = listed.body.data.products.nodes[0];
    const { body } = await postGraphql(emulator, DEMO_SHOP, token, `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, {
      ids: [product.id, product.media.nodes[0].id, "gid://shopify/Product/1"],
    });
    expect(body.data.nodes).toEqual([
      { __typename: "Product", id: product.id },
      { __typename: "MediaImage", id: product.media.nodes[0].id },
      null,
    ]);
  });
});

describe("fault injection", () => {
  it("fails the next requests as asked, then recovers", async () => {
    emulator.failNext(DEMO_SHOP, { status: 503 });
    emulator.failNext(DEMO_SHOP, { graphqlErrorCode: "THROTTLED" });
    emulator.failNext(DEMO_SHOP, { graphqlErrorCode: "INTERNAL_SERVER_ERROR", count: 2 });
    const statuses = [];
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const { status, body } = await postGraphql(emulator, DEMO_SHOP, token, "{ shop { name } }");
      statuses.push(status);
      codes.push(Array.isArray(body.errors) ? body.errors[0].extensions.code : body.errors ? "text" : "ok");
    }
    expect(statuses).toEqual([503, 200, 200, 200, 200]);
    expect(codes).toEqual(["text", "THROTTLED", "INTERNAL_SERVER_ERROR", "INTERNAL_SERVER_ERROR", "ok"]);
  });
});

describe("a real Shopify SDK", () => {
  it("talks to the emulator through @shopify/admin-api-client", async () => {
    const client = createAdminApiClient({
      storeDomain: DEMO_SHOP,
      apiVersion: ADMIN_API_VERSION,
      accessToken: token,
      customFetchApi: (url, init) => fetch(String(url).replace(`https://${DEMO_SHOP}`, `${emulator.origin}/${DEMO_SHOP}`), init),
    });
    const { data, errors, extensions } = await client.request(
      `query FirstProduct { products(first: 1, sortKey: TITLE) { nodes { title } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.products.nodes[0].title).toBe("Amber Dusk Eau de Parfum 50 ml");
    expect(extensions?.cost).toMatchObject({ requestedQueryCost: 3, actualQueryCost: 3 });
    expect(emulator.state.log.at(-1)).toMatchObject({ shop: DEMO_SHOP, operationName: "FirstProduct", rootFields: ["products"] });
  });
});

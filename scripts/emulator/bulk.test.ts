import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index";
import { postGraphql } from "./test-client";
import { cdnUrl } from "./views";

let emu: Emulator;

beforeAll(async () => {
  // Slow enough that polls see an operation at work, fast enough for tests.
  emu = await startEmulator({ seedDemoShop: false, bulk: { startDelayMs: 30, objectsPerSecond: 4_000 } });
});

afterAll(() => emu.close());

function openShop(opts: { productCount?: number; scope?: string } = {}) {
  const shop = `bulk-${randomUUID().slice(0, 8)}.myshopify.com`;
  emu.addShop(shop, { seed: true, productCount: opts.productCount });
  const token = emu.issueToken(shop, opts.scope);
  const call = (query: string, variables?: Record<string, unknown>) => postGraphql(emu, shop, token, query, variables);
  return { shop, token, call, record: emu.state.shops.get(shop)! };
}

const RUN = `mutation Run($query: String!, $groupObjects: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {
    bulkOperation { id status type objectCount url }
    userErrors { field message code }
  }
}`;

const STATUS = `query Status($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl completedAt query }
}`;

const PRODUCTS_WITH_MEDIA = `{
  products {
    edges {
      node {
        id
        title
        media {
          edges {
            node {
              id
              alt
              ... on MediaImage { image { url } }
            }
          }
        }
      }
    }
  }
}`;

async function run(call: ReturnType<typeof openShop>["call"], query: string, groupObjects = true) {
  const { body } = await call(RUN, { query, groupObjects });
  return body.data.bulkOperationRunQuery as { bulkOperation: { id: string; status: string } | null; userErrors: unknown[] };
}

async function settle(call: ReturnType<typeof openShop>["call"], id: string) {
  const seen: { status: string; objectCount: number }[] = [];
  for (;;) {
    const { body } = await call(STATUS, { id });
    const op = body.data.bulkOperation;
    seen.push({ status: op.status, objectCount: Number(op.objectCount) });
    if (!["CREATED", "RUNNING", "CANCELING"].includes(op.status)) return { op, seen };
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

describe("bulkOperationRunQuery refuses what Shopify refuses", () => {
  const cases: [string, string, string[]][] = [
    [
      "nodes instead of edges",
      `{ products { nodes { id title } } }`,
      [
        "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: 'products { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: 'products'.",
      ],
    ],
    [
      "a top-level node field",
      `{ node(id: "gid://shopify/Product/0") { id } }`,
      ["Bulk queries cannot contain a top level `node` field.", "Bulk queries must contain at least one connection."],
    ],
    [
      "three levels of nested connections",
      `{ collections { edges { node { id products { edges { node { id variants { edges { node { id metafields { edges { node { id } } } } } } } } } } } } }`,
      ["Bulk queries cannot contain connections with a nesting depth greater than 2."],
    ],
    [
      "six connections",
      `{ products { edges { node { id variants { edges { node { id } } } metafields { edges { node { id } } } collections { edges { node { id } } } media { edges { node { id } } } sellingPlanGroups { edges { node { id } } } } } } }`,
      ["Bulk queries cannot contain more than 5 connections."],
    ],
    [
      "a nested connection whose parent has no id",
      `{ products { edges { node { title variants { edges { node { id } } } } } } }`,
      [
        "The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': products.",
      ],
    ],
    [
      "a mutation",
      `mutation { productCreate(product: { title: "x" }) { product { id } } }`,
      ["Invalid operation type. Only `query` operations are supported."],
    ],
    [
      "a connection inside a list",
      `{ orders { edges { node { id fulfillments { events { edges { node { id } } } } } } } }`,
      ["Queries that contain a connection field within a list field are not currently supported."],
    ],
    ["an empty query", "", ["Invalid bulk query: syntax error, unexpected end of file"]],
    [
      "a field the schema does not have",
      `{ products { edges { node { id colour } } } }`,
      ['Invalid bulk query: Cannot query field "colour" on type "Product".'],
    ],
  ];

  it.each(cases)("refuses %s with Shopify's userErrors", async (_name, query, messages) => {
    const { call, shop } = openShop({ productCount: 1 });
    const answer = await run(call, query);
    expect(answer).toEqual({
      bulkOperation: null,
      userErrors: messages.map((message) => ({ field: ["query"], message, code: "INVALID" })),
    });
    expect(emu.bulk.operations(shop)).toEqual([]);
  });

  it("refuses currentBulkOperation, deprecated in 2026-10, like every deprecated field", async () => {
    const { call } = openShop({ productCount: 1 });
    const { body } = await call(`{ currentBulkOperation(type: QUERY) { id } }`);
    expect(body.errors[0].message).toMatch(
      /QueryRoot\.currentBulkOperation' is deprecated: Use `bulkOperations` with status filter instead/,
    );
  });
});

describe("a bulk query operation", () => {
  it("goes from CREATED to RUNNING, its objectCount growing, to COMPLETED with a signed link", async () => {
    const { call, shop } = openShop({ productCount: 2000 });
    const started = await run(call, PRODUCTS_WITH_MEDIA);
    expect(started).toMatchObject({ bulkOperation: { status: "CREATED", type: "QUERY", objectCount: "0", url: null }, userErrors: [] });
    const { op, seen } = await settle(call, started.bulkOperation!.id);
    seen.unshift({ status: "CREATED", objectCount: 0 });

    const products = emu.state.shops.get(shop)!.products;
    const total = [...products.values()].reduce((sum, p) => sum + 1 + p.mediaIds.length, 0);
    expect(op).toMatchObject({
      status: "COMPLETED",
      errorCode: null,
      objectCount: String(total),
      rootObjectCount: "2000",
      partialDataUrl: null,
    });
    expect(op.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(op.url).toMatch(
      new RegExp(`^${emu.origin}/bulk-operation-outputs/[a-z0-9_-]+-final\\?GoogleAccessId=.+&Expires=\\d+&Signature=`),
    );
    const statuses = [...new Set(seen.map((s) => s.status))];
    expect(statuses).toEqual(["CREATED", "RUNNING", "COMPLETED"]);
    const counts = seen.map((s) => s.objectCount);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.some((count) => count > 0 && count < total)).toBe(true);

    const download = await fetch(op.url);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/jsonl");
    const text = await download.text();
    expect(Buffer.byteLength(text)).toBe(Number(op.fileSize));
    expect(text.trimEnd().split("\n")).toHaveLength(total);
  });

  it("writes one line per node, __parentId last, each product's media right after it when grouped", async () => {
    const { call, record } = openShop();
    const { op } = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id);
    const lines = (await (await fetch(op.url)).text()).split("\n");

    const expected: string[] = [];
    for (const product of [...record.products.values()].sort((a, b) => a.numericId - b.numericId)) {
      expected.push(JSON.stringify({ id: product.id, title: product.title }));
      for (const mediaId of product.mediaIds) {
        const media = record.media.get(mediaId)!;
        expected.push(
          JSON.stringify({
            id: media.id,
            alt: media.alt,
            image: { url: cdnUrl(emu.origin, record.domain, media) },
            __parentId: product.id,
          }),
        );
      }
    }
    expect(lines).toEqual([...expected, ""]);
  });

  it("puts the parents first and their children after them when not grouped", async () => {
    const { call } = openShop();
    const grouped = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA, true)).bulkOperation!.id);
    const ungrouped = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA, false)).bulkOperation!.id);
    const groupedLines = (await (await fetch(grouped.op.url)).text()).trimEnd().split("\n");
    const lines = (await (await fetch(ungrouped.op.url)).text()).trimEnd().split("\n");
    expect([...lines].sort()).toEqual([...groupedLines].sort());
    const firstChild = lines.findIndex((line) => line.includes("__parentId"));
    expect(lines.slice(firstChild).every((line) => line.includes("__parentId"))).toBe(true);
    expect(lines.slice(0, firstChild)).toHaveLength(9);
  });

  it("answers node(id:), and bulkOperations finds the unfinished ones by status", async () => {
    const { call } = openShop({ productCount: 2000 });
    const id = (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id;
    const node = await call(`query Node($id: ID!) { node(id: $id) { ... on BulkOperation { id status } } }`, { id });
    expect(node.body.data.node).toEqual({ id, status: expect.stringMatching(/^(CREATED|RUNNING)$/) });
    const unfinished = await call(`{ bulkOperations(first: 5, query: "status:created OR status:running") { nodes { id type query } } }`);
    expect(unfinished.body.data.bulkOperations.nodes).toEqual([{ id, type: "QUERY", query: PRODUCTS_WITH_MEDIA }]);
    await settle(call, id);
    const after = await call(`{ bulkOperations(first: 5, query: "status:created OR status:running") { nodes { id } } }`);
    expect(after.body.data.bulkOperations.nodes).toEqual([]);
    const completed = await call(`{ bulkOperations(first: 5, query: "status:completed operation_type:query") { nodes { id } } }`);
    expect(completed.body.data.bulkOperations.nodes).toEqual([{ id }]);
  });

  it("answers a COMPLETED operation without a link when the query matched nothing", async () => {
    const { call } = openShop();
    const { op } = await settle(
      call,
      (await run(call, `{ products(query: "title:nothing-like-this") { edges { node { id } } } }`)).bulkOperation!.id,
    );
    expect(op).toMatchObject({ status: "COMPLETED", objectCount: "0", url: null, fileSize: null });
  });

  it("fails with ACCESS_DENIED when the token cannot read what the query asks for", async () => {
    const { call } = openShop({ scope: "write_files" });
    const { op } = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id);
    expect(op).toMatchObject({ status: "FAILED", errorCode: "ACCESS_DENIED", url: null, partialDataUrl: null });
  });
});

describe("bulk operation faults", () => {
  it("fails with the fault's error code and offers the data written so far as partialDataUrl", async () => {
    const { call, shop } = openShop({ productCount: 600 });
    emu.bulk.failNext(shop, { errorCode: "TIMEOUT", afterObjects: 1 });
    const { op } = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id);
    expect(op).toMatchObject({ status: "FAILED", errorCode: "TIMEOUT", url: null, fileSize: null });
    const partial = (await (await fetch(op.partialDataUrl)).text()).trimEnd().split("\n");
    expect(partial).toHaveLength(Number(op.objectCount));
    expect(Number(op.rootObjectCount)).toBe(250);
  });

  it("expires a result: the link answers 400 ExpiredToken and the operation shows EXPIRED", async () => {
    const { call } = openShop();
    const { op } = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id);
    emu.bulk.expire(op.id);
    const download = await fetch(op.url);
    expect(download.status).toBe(400);
    expect(await download.text()).toContain("<Code>ExpiredToken</Code>");
    const { body } = await call(STATUS, { id: op.id });
    expect(body.data.bulkOperation).toMatchObject({ status: "EXPIRED", url: null });
  });

  it("refuses a link whose signature was changed", async () => {
    const { call } = openShop();
    const { op } = await settle(call, (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id);
    const tampered = new URL(op.url);
    tampered.searchParams.set("Expires", String(Number(tampered.searchParams.get("Expires")) + 3600));
    const download = await fetch(tampered);
    expect(download.status).toBe(403);
    expect(await download.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

describe("concurrency and cancelling", () => {
  let slow: Emulator;
  beforeAll(async () => {
    slow = await startEmulator({ seedDemoShop: false, bulk: { startDelayMs: 60_000 } });
  });
  afterAll(() => slow.close());

  function openSlowShop() {
    const shop = `slow-${randomUUID().slice(0, 8)}.myshopify.com`;
    slow.addShop(shop, { seed: true, productCount: 3 });
    const token = slow.issueToken(shop);
    return (query: string, variables?: Record<string, unknown>) => postGraphql(slow, shop, token, query, variables);
  }

  it("runs at most five query operations per shop at once, as API 2026-01 and later allow", async () => {
    const call = openSlowShop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await run(call, `{ products(query: "tag:t${i}") { edges { node { id } } } }`)).bulkOperation!.id);
    const sixth = await run(call, PRODUCTS_WITH_MEDIA);
    expect(sixth).toEqual({
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message: `A bulk query operation for this app and shop is already in progress: ${ids.sort().join(", ")}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    });
  });

  it("cancels: CANCELING, then CANCELED; a stopped operation cannot be cancelled; an unknown one does not exist", async () => {
    const call = openSlowShop();
    const id = (await run(call, PRODUCTS_WITH_MEDIA)).bulkOperation!.id;
    const CANCEL = `mutation Cancel($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }`;
    const cancel = await call(CANCEL, { id });
    expect(cancel.body.data.bulkOperationCancel).toEqual({ bulkOperation: { id, status: "CANCELING" }, userErrors: [] });
    const { op } = await settle(call, id);
    expect(op.status).toBe("CANCELED");
    const again = await call(CANCEL, { id });
    expect(again.body.data.bulkOperationCancel).toEqual({
      bulkOperation: { id, status: "CANCELED" },
      userErrors: [{ field: null, message: "A bulk operation cannot be canceled when it is canceled" }],
    });
    const unknown = await call(CANCEL, { id: "gid://shopify/BulkOperation/1" });
    expect(unknown.body.data.bulkOperationCancel).toEqual({
      bulkOperation: null,
      userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }],
    });
  });
});

describe("input limits", () => {
  it("refuses more than 250 ids in nodes(ids:) with MAX_INPUT_SIZE_EXCEEDED", async () => {
    const { call } = openShop({ productCount: 1 });
    const ids = Array.from({ length: 251 }, (_, i) => `gid://shopify/Product/${i + 1}`);
    const { body } = await call(`query Many($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(body).toEqual({
      errors: [
        {
          message: "The input array size of 251 is greater than the maximum allowed of 250.",
          locations: [{ line: 1, column: 28 }],
          path: ["nodes", "ids"],
          extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
        },
      ],
    });
    const { body: allowed } = await call(`query Many($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ids.slice(0, 250) });
    expect(allowed.data.nodes).toHaveLength(250);
  });
});

import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP, startEmulator, type Emulator } from "./index";
import { postGraphql } from "./test-client";

const PROCESSING_MS = 300;

let emulator: Emulator;
let token: string;

beforeAll(async () => {
  emulator = await startEmulator({ mediaProcessingMs: PROCESSING_MS });
  token = emulator.issueToken(DEMO_SHOP);
});

afterAll(() => emulator.close());

const gql = (query: string, variables?: Record<string, unknown>) => postGraphql(emulator, DEMO_SHOP, token, query, variables);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const STAGE = `mutation Stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) { stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } }
}`;
const ATTACH = `mutation Attach($product: ProductUpdateInput!, $media: [CreateMediaInput!]) {
  productUpdate(product: $product, media: $media) {
    product { id media(first: 250) { nodes { id alt status mediaContentType mediaErrors { code message }
      ... on MediaImage { image { url width height } } } } }
    userErrors { field message }
  }
}`;
const MEDIA = `query Media($id: ID!) { node(id: $id) { ... on MediaImage { id status alt mediaErrors { code } image { url width height } preview { status } } } }`;

async function findProductId(title = "Mug"): Promise<string> {
  const { body } = await gql(`query Find($query: String) { products(first: 1, query: $query) { nodes { id } } }`, {
    query: `title:${title}`,
  });
  return body.data.products.nodes[0].id;
}

async function stage(filename: string, mimeType: string, httpMethod: "POST" | "PUT", fileSize?: number) {
  const { body } = await gql(STAGE, {
    input: [{ resource: "IMAGE", filename, mimeType, httpMethod, fileSize: fileSize && String(fileSize) }],
  });
  return body.data.stagedUploadsCreate;
}

async function uploadWithForm(target: { url: string; parameters: { name: string; value: string }[] }, bytes: Buffer, mimeType: string) {
  const form = new FormData();
  for (const { name, value } of target.parameters) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: mimeType }), "upload");
  return fetch(target.url, { method: "POST", body: form });
}

const photo = () =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: "#c33" } })
    .jpeg()
    .toBuffer();

describe("staged upload → productUpdate → processing", () => {
  it("moves a POSTed image from UPLOADED through PROCESSING to READY, then serves it", async () => {
    const productId = await findProductId();
    const bytes = await photo();
    const staged = await stage("studio.jpg", "image/jpeg", "POST", bytes.length);
    expect(staged.userErrors).toEqual([]);
    const [target] = staged.stagedTargets;
    expect(target.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["key", "policy", "x-goog-signature"]));
    expect((await uploadWithForm(target, bytes, "image/jpeg")).status).toBe(201);

    const attached = await gql(ATTACH, {
      product: { id: productId },
      media: [{ originalSource: target.resourceUrl, alt: "Studio shot", mediaContentType: "IMAGE" }],
    });
    expect(attached.body.data.productUpdate.userErrors).toEqual([]);
    const created = attached.body.data.productUpdate.product.media.nodes.at(-1);
    expect(created).toMatchObject({ alt: "Studio shot", status: "UPLOADED", mediaContentType: "IMAGE", image: null });

    // Polled until READY: the states seen are UPLOADED, PROCESSING (no image yet), READY, in that order
    // (each lasts PROCESSING_MS; a poll comes every 10 ms, so even a loaded machine sees each one).
    const seen: string[] = [];
    const imagesWhileProcessing: unknown[] = [];
    let ready;
    for (const deadline = Date.now() + 20 * PROCESSING_MS; Date.now() < deadline; await sleep(10)) {
      const node = (await gql(MEDIA, { id: created.id })).body.data.node;
      if (node.status === "PROCESSING") imagesWhileProcessing.push(node.image);
      if (seen.at(-1) !== node.status) seen.push(node.status);
      if (node.status === "READY") {
        ready = node;
        break;
      }
    }
    expect(seen).toEqual(["UPLOADED", "PROCESSING", "READY"]);
    expect(imagesWhileProcessing.length).toBeGreaterThan(0);
    expect(imagesWhileProcessing.every((image) => image === null)).toBe(true);
    expect(ready).toMatchObject({ status: "READY", preview: { status: "READY" }, image: { width: 900, height: 600 } });

    const served = Buffer.from(await (await fetch(ready.image.url)).arrayBuffer());
    expect(served.equals(bytes)).toBe(true);
  });

  it("accepts a PUT of raw bytes and refuses one with a forged signature", async () => {
    const bytes = await photo();
    const [target] = (await stage("put.jpg", "image/jpeg", "PUT")).stagedTargets;
    const forged = target.url.replace(/X-Goog-Signature=[0-9a-f]+/, "X-Goog-Signature=00");
    expect((await fetch(forged, { method: "PUT", body: new Uint8Array(bytes), headers: { "Content-Type": "image/jpeg" } })).status).toBe(
      403,
    );
    expect(
      (await fetch(target.url, { method: "PUT", body: new Uint8Array(bytes), headers: { "Content-Type": "image/jpeg" } })).status,
    ).toBe(200);
  });

  it("ends FAILED when the uploaded file is not an image, or when nothing was uploaded", async () => {
    const productId = await findProductId();
    const [textTarget] = (await stage("notes.jpg", "image/jpeg", "POST")).stagedTargets;
    await uploadWithForm(textTarget, Buffer.from("this is not a photo"), "image/jpeg");
    const [emptyTarget] = (await stage("never.jpg", "image/jpeg", "POST")).stagedTargets;

    const { body } = await gql(ATTACH, {
      product: { id: productId },
      media: [
        { originalSource: textTarget.resourceUrl, mediaContentType: "IMAGE" },
        { originalSource: emptyTarget.resourceUrl, mediaContentType: "IMAGE" },
      ],
    });
    const [text, empty] = body.data.productUpdate.product.media.nodes.slice(-2);
    await sleep(2 * PROCESSING_MS + 20);
    expect((await gql(MEDIA, { id: text.id })).body.data.node).toMatchObject({
      status: "FAILED",
      image: null,
      mediaErrors: [{ code: "IMAGE_PROCESSING_FAILURE" }],
    });
    expect((await gql(MEDIA, { id: empty.id })).body.data.node).toMatchObject({
      status: "FAILED",
      mediaErrors: [{ code: "IMAGE_DOWNLOAD_FAILURE" }],
    });
  });

  it("refuses an upload over 20 MB when staging and when sending", async () => {
    const staged = await stage("huge.jpg", "image/jpeg", "POST", 21 * 1024 * 1024);
    expect(staged.userErrors[0].field).toEqual(["input", "0", "fileSize"]);
    const [target] = (await stage("huge.jpg", "image/jpeg", "PUT")).stagedTargets;
    const response = await fetch(target.url, {
      method: "PUT",
      body: new Uint8Array(21 * 1024 * 1024),
      headers: { "Content-Type": "image/jpeg" },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("EntityTooLarge");
  });
});

describe("file names", () => {
  const NAMED = `query Named($id: ID!) { node(id: $id) { ... on MediaImage { status originalSource { url } image { url } } } }`;

  async function attachNamed(productId: string, filename: string) {
    const bytes = await photo();
    const [target] = (await stage(filename, "image/jpeg", "POST")).stagedTargets;
    await uploadWithForm(target, bytes, "image/jpeg");
    const { body } = await gql(ATTACH, {
      product: { id: productId },
      media: [{ originalSource: target.resourceUrl, mediaContentType: "IMAGE" }],
    });
    return { id: body.data.productUpdate.product.media.nodes.at(-1).id as string, bytes };
  }

  it("keeps the staged file's name: in originalSource.url at once, in image.url once READY (image is null before)", async () => {
    const productId = await findProductId();
    const { id } = await attachNamed(productId, "mug-cnamed0001.jpg");
    const early = (await gql(NAMED, { id })).body.data.node;
    expect(early).toMatchObject({ status: "UPLOADED", image: null });
    expect(new URL(early.originalSource.url).pathname).toMatch(/\/mug-cnamed0001\.jpg$/);

    await sleep(2 * PROCESSING_MS + 20);
    const ready = (await gql(NAMED, { id })).body.data.node;
    expect(ready.status).toBe("READY");
    expect(new URL(ready.image.url).pathname).toMatch(/\/files\/mug-cnamed0001\.jpg$/);
  });

  it("gives a second file of a name already in the shop `_<uuid>` before the extension, and serves each by its name", async () => {
    const productId = await findProductId("Candle");
    const first = await attachNamed(productId, "candle-cnamed0002.jpg");
    const second = await attachNamed(productId, "candle-cnamed0002.jpg");
    await sleep(2 * PROCESSING_MS + 20);
    const [a, b] = await Promise.all(
      [first.id, second.id].map(async (id) => (await gql(NAMED, { id })).body.data.node.image.url as string),
    );
    expect(new URL(a).pathname).toMatch(/\/candle-cnamed0002\.jpg$/);
    expect(new URL(b).pathname).toMatch(/\/candle-cnamed0002_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.jpg$/);
    expect(Buffer.from(await (await fetch(a)).arrayBuffer()).equals(first.bytes)).toBe(true);
    expect((await fetch(b)).status).toBe(200);
  });
});

describe("productUpdate errors", () => {
  it("answers Product does not exist for an unknown product", async () => {
    const { body } = await gql(ATTACH, { product: { id: "gid://shopify/Product/1" }, media: [] });
    expect(body.data.productUpdate).toEqual({ product: null, userErrors: [{ field: ["id"], message: "Product does not exist" }] });
  });

  it("refuses media beyond 250 per product", async () => {
    emulator.addShop("full-shop.myshopify.com", { seed: true, productCount: 1 });
    const fullToken = emulator.issueToken("full-shop.myshopify.com");
    const product = [...emulator.state.shops.get("full-shop.myshopify.com")!.products.values()][0];
    const existing = product.mediaIds.length;
    const cdnUrl = `${emulator.origin}/cdn/s/files/x/files/1-a.jpg`;
    const tooMany = Array.from({ length: 251 - existing }, () => ({ originalSource: cdnUrl, mediaContentType: "IMAGE" }));
    const { body } = await postGraphql(emulator, "full-shop.myshopify.com", fullToken, ATTACH, {
      product: { id: product.id },
      media: tooMany,
    });
    expect(body.data.productUpdate.userErrors).toEqual([{ field: ["media"], message: "Exceeded the limit of 250 media per product." }]);
    expect(product.mediaIds).toHaveLength(existing);
  });
});

describe("reordering, alt text, detaching and deleting", () => {
  it("reorders media with a job that completes", async () => {
    const productId = await findProductId();
    const before = emulator.state.shops.get(DEMO_SHOP)!.products.get(productId)!.mediaIds.slice();
    const last = before.at(-1)!;
    const { body } = await gql(
      `mutation Reorder($id: ID!, $moves: [MoveInput!]!) { productReorderMedia(id: $id, moves: $moves) { job { id done } mediaUserErrors { code field message } } }`,
      { id: productId, moves: [{ id: last, newPosition: "0" }] },
    );
    expect(body.data.productReorderMedia.mediaUserErrors).toEqual([]);
    await sleep(80);
    const job = await gql(`query Job($id: ID!) { job(id: $id) { id done } }`, { id: body.data.productReorderMedia.job.id });
    expect(job.body.data.job.done).toBe(true);
    const after = await gql(`query P($id: ID!) { product(id: $id) { featuredMedia { id } } }`, { id: productId });
    expect(after.body.data.product.featuredMedia.id).toBe(last);
  });

  it("edits alt text, detaches a file from the product with referencesToRemove, and deletes files", async () => {
    const productId = await findProductId("Candle");
    const product = emulator.state.shops.get(DEMO_SHOP)!.products.get(productId)!;
    const [first, second] = product.mediaIds;
    const update = await gql(
      `mutation Files($files: [FileUpdateInput!]!) { fileUpdate(files: $files) { files { id alt } userErrors { code field message } } }`,
      {
        files: [
          { id: first, alt: "New alt" },
          { id: second, referencesToRemove: [productId] },
        ],
      },
    );
    expect(update.body.data.fileUpdate).toEqual({
      files: [
        { id: first, alt: "New alt" },
        { id: second, alt: expect.any(String) },
      ],
      userErrors: [],
    });
    expect(product.mediaIds).not.toContain(second);
    expect(emulator.state.shops.get(DEMO_SHOP)!.media.has(second)).toBe(true);

    const remove = `mutation Delete($ids: [ID!]!) { fileDelete(fileIds: $ids) { deletedFileIds userErrors { code field message } } }`;
    const unknown = await gql(remove, { ids: [first, "gid://shopify/MediaImage/1"] });
    expect(unknown.body.data.fileDelete.userErrors[0]).toMatchObject({ code: "FILE_DOES_NOT_EXIST", field: ["fileIds", "1"] });
    expect(product.mediaIds).toContain(first);
    const deleted = await gql(remove, { ids: [first] });
    expect(deleted.body.data.fileDelete).toEqual({ deletedFileIds: [first], userErrors: [] });
    expect(product.mediaIds).not.toContain(first);
  });
});

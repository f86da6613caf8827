import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP, startEmulator, type Emulator } from "./index";
import { readMediaStatus } from "./state";
import { postGraphql } from "./test-client";

// The chaos harness's hooks (faults.ts): what they do to a productUpdate, seen from the wire and the store.

let emulator: Emulator;
let token: string;

beforeAll(async () => {
  emulator = await startEmulator({ mediaProcessingMs: 0 });
  token = emulator.issueToken(DEMO_SHOP);
});

afterAll(() => emulator.close());

const ATTACH = `mutation Attach($product: ProductUpdateInput!, $media: [CreateMediaInput!]) {
  productUpdate(product: $product, media: $media) { product { id media(last: 1) { nodes { id } } } userErrors { field message } }
}`;

/** A product of the demo store and a source for a new image on it (another product's photo on the emulator's CDN). */
async function attachInput() {
  const { body } = await postGraphql(
    emulator,
    DEMO_SHOP,
    token,
    `query { products(first: 2) { nodes { id media(first: 1) { nodes { ... on MediaImage { image { url } } } } } } }`,
  );
  const [target, other] = body.data.products.nodes;
  return {
    product: { id: target.id as string },
    media: [{ originalSource: other.media.nodes[0].image.url as string, mediaContentType: "IMAGE", alt: "chaos" }],
  };
}

function mediaOf(productId: string) {
  return emulator.state.shops.get(DEMO_SHOP)!.products.get(productId)!.mediaIds;
}

describe("fault hooks on a mutation", () => {
  it("holds the answer of a productUpdate that has already run until it is released, and records what it attached", async () => {
    const input = await attachInput();
    const before = mediaOf(input.product.id).length;
    const log = emulator.faults.attached.length;
    const held = emulator.faults.onNextMutation({ shop: DEMO_SHOP, rootField: "productUpdate", answer: "hold" });
    let answered = false;
    const request = postGraphql(emulator, DEMO_SHOP, token, ATTACH, input).then((answer) => ((answered = true), answer));
    await held.ran;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mediaOf(input.product.id)).toHaveLength(before + 1);
    expect(answered).toBe(false);
    held.release();
    const answer = await request;
    const [attached] = emulator.faults.attached.slice(log);
    expect(answer.body.data.productUpdate.product.media.nodes[0].id).toBe(attached.mediaId);
    const media = emulator.state.shops.get(DEMO_SHOP)!.media.get(attached.mediaId)!;
    expect(media.bytes.kind === "buffer" && createHash("sha256").update(media.bytes.buffer).digest("hex")).toBe(attached.sha256);
  });

  it("drops the connection of a productUpdate after it ran, so the client gets no answer", async () => {
    const input = await attachInput();
    const before = mediaOf(input.product.id).length;
    emulator.faults.onNextMutation({ shop: DEMO_SHOP, rootField: "productUpdate", answer: "drop" });
    await expect(postGraphql(emulator, DEMO_SHOP, token, ATTACH, input)).rejects.toThrow();
    expect(mediaOf(input.product.id)).toHaveLength(before + 1);
  });

  it("runs a merchant's edit after the mutation and before its answer, which then shows the edit", async () => {
    const input = await attachInput();
    let merchantsMedia = "";
    emulator.faults.onNextMutation({
      shop: DEMO_SHOP,
      rootField: "productUpdate",
      afterRun: (shop) => {
        const product = shop.products.get(input.product.id)!;
        merchantsMedia = product.mediaIds[0];
        product.mediaIds.push(product.mediaIds.shift()!);
      },
    });
    const answer = await postGraphql(emulator, DEMO_SHOP, token, ATTACH, input);
    expect(answer.body.data.productUpdate.product.media.nodes[0].id).toBe(merchantsMedia);
  });

  it("keeps new media PROCESSING while a processing hold lasts, and makes them READY on release", async () => {
    const input = await attachInput();
    const log = emulator.faults.attached.length;
    const hold = emulator.faults.holdProcessing(DEMO_SHOP);
    await postGraphql(emulator, DEMO_SHOP, token, ATTACH, input);
    const media = emulator.state.shops.get(DEMO_SHOP)!.media.get(emulator.faults.attached[log].mediaId)!;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readMediaStatus(media)).toBe("PROCESSING");
    hold.release();
    expect(readMediaStatus(media)).toBe("READY");
  });
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import { createUploadedMedia } from "../../emulator/media.ts";
import type { MediaRecord, ShopRecord } from "../../emulator/state.ts";
import type { ShopClient } from "../client.ts";
import { check, outcome, SQLITE, type Check, type Scenario, type ScenarioContext } from "../scenario.ts";
import { sha256 } from "../audit.ts";

/** What the merchant does in the admin while the app's productUpdate runs: adds a photo and deletes an old one. */
function merchantEdit(ctx: ScenarioContext, productId: string, edits: { added?: string; deleted?: string }) {
  return async (shop: ShopRecord) => {
    const product = shop.products.get(productId)!;
    const bytes = await readFile(path.join(ctx.chaos.storageDir, "photos", "pasta-top.jpg"));
    const media = await createUploadedMedia(ctx.chaos.emulator.state, {
      filename: "IMG_2041.jpg",
      alt: "The merchant's own photo",
      originalSource: "https://merchant.example/IMG_2041.jpg",
      bytes,
      processingMs: 0,
    });
    shop.media.set(media.id, media);
    product.mediaIds.push(media.id);
    const deleted = product.mediaIds.shift()!;
    shop.media.delete(deleted);
    Object.assign(edits, { added: media.id, deleted });
  };
}

async function publishDuringEdit(
  ctx: ScenarioContext,
  client: ShopClient,
  productIndex: number,
  answer: "send" | "drop",
  tag: string,
): Promise<Check[]> {
  const { chaos } = ctx;
  const product = ctx.products(client)[productIndex];
  const { jobId, outputIds } = await ctx.doneJob(client, product);
  const edits: { added?: string; deleted?: string } = {};
  chaos.emulator.faults.onNextMutation({
    shop: client.shop,
    rootField: "productUpdate",
    answer,
    afterRun: merchantEdit(ctx, product.id, edits),
  });
  await ctx.publish(client, jobId, outputIds);
  const published = await ctx.settle(client, jobId, 30_000);
  const [output] = await ctx.outputs(client, jobId);
  const store = chaos.emulator.state.shops.get(client.shop)!;
  const recorded = output.shopifyMediaId ? store.media.get(output.shopifyMediaId) : undefined;
  const digests = await ctx.outputDigests(client, jobId);
  const isOutputImage = recorded?.bytes.kind === "buffer" && sha256(recorded.bytes.buffer) === digests.get(output.id);
  const marked = Boolean(recorded?.filename.includes(output.id));
  // The merchant's media: whatever on the product does not carry the app's image (originals, the new photo).
  const merchants = ctx
    .productMedia(client, product.id)
    .filter((m) => !isAppMedia(m, digests))
    .map((m) => m.id);

  await ctx.restore(client, jobId, outputIds);
  const restored = await ctx.settle(client, jobId, 20_000);
  const after = ctx.productMedia(client, product.id);
  const merchantsAfter = merchants.filter((id) => after.some((m) => m.id === id));
  const leftOver = after.filter((m) => isAppMedia(m, digests)).length;
  return [
    check(published.settled && output.reviewState === "published", `${tag} publish ended "${output.reviewState}"`),
    check(
      Boolean(recorded) && isOutputImage,
      `${tag} the recorded media ${recorded ? (recorded.id === edits.added ? "is the merchant's new photo" : isOutputImage ? "is the output's image" : "is another media") : "is not on Shopify"}`,
    ),
    check(marked, `${tag} its file name "${recorded?.filename ?? "—"}" ${marked ? "carries" : "does not carry"} the output's id`),
    check(
      restored.settled && merchantsAfter.length === merchants.length && merchantsAfter.includes(edits.added!),
      `${tag} Restore left ${merchantsAfter.length}/${merchants.length} of the merchant's media${merchantsAfter.includes(edits.added!) ? "" : ", removing the photo the merchant added"}`,
    ),
    check(leftOver === 0, `${tag} ${leftOver} of the app's image(s) left after Restore`),
  ];
}

function isAppMedia(media: MediaRecord, digests: Map<string, string>): boolean {
  return media.bytes.kind === "buffer" && [...digests.values()].includes(sha256(media.bytes.buffer));
}

export const scenario: Scenario = {
  id: 6,
  fault:
    "The merchant adds a photo and deletes an old one on the product while the app's productUpdate runs: (a) its answer arrives; (b) its connection drops after it ran",
  expected:
    "the recorded media id is the output's media and carries the output's marker; a later Restore leaves the merchant's media alone",
  databases: SQLITE,
  async run(ctx) {
    const client = await ctx.shop();
    return outcome([
      ...(await publishDuringEdit(ctx, client, 0, "send", "(a)")),
      ...(await publishDuringEdit(ctx, client, 1, "drop", "(b)")),
    ]);
  },
};

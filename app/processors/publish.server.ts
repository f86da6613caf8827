import { prisma } from "~/db.server";
import { getJob } from "~/models/jobs.server";
import { getSettings } from "~/models/settings.server";
import { renderAltText, shopLanguage } from "~/alt-text";
import { loadFile } from "~/storage.server";
import { publishImages, restoreImages } from "~/shopify/publish.server";
import { adminApiForShop } from "~/models/admin.server";
import { readShopPrimaryLocale } from "~/shopify/shop-locale.server";
import { PermanentJobError } from "./errors.server";

const MIME: Record<string, string> = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

/** Attaches outputs to the product. Media ids are recorded as soon as Shopify gives them, so a retry
 * after a crash finds them and never attaches the same output twice. */
export async function publishOutputs(shop: string, jobId: string, outputIds: string[]) {
  const job = await getJob(shop, jobId);
  if (!job) throw new PermanentJobError("JOB_NOT_FOUND", "This job no longer exists.");
  const outputs = job.outputs.filter((o) => outputIds.includes(o.id) && o.reviewState !== "rejected");
  if (outputs.length === 0) return;
  const settings = await getSettings(shop);
  const api = await adminApiForShop(shop);
  const language = shopLanguage(await readShopPrimaryLocale(api));

  await prisma.output.updateMany({ where: { shop, jobId, id: { in: outputs.map((o) => o.id) } }, data: { reviewState: "publishing" } });
  const images = await Promise.all(
    outputs.map(async (output) => ({
      key: output.id,
      data: await loadFile(output.storageKey),
      filename: `${job.productTitle || "product"}-${output.position + 1}.${output.format === "jpeg" ? "jpg" : output.format}`
        .replace(/[^\w.-]+/g, "-")
        .toLowerCase(),
      mimeType: MIME[output.format] ?? "image/jpeg",
      alt: renderAltText(settings.altTextTemplate, { title: job.productTitle, mode: job.mode, language }),
      existingMediaId: output.shopifyMediaId,
    })),
  );

  const { results } = await publishImages(api, {
    productId: job.productId,
    images,
    position: settings.mediaPosition === "first" ? "first" : "append",
    onMediaCreated: async (key, mediaId) => {
      await prisma.output.updateMany({ where: { id: key, shop }, data: { shopifyMediaId: mediaId } });
    },
  });

  for (const result of results) {
    await prisma.output.updateMany({
      where: { id: result.key, shop },
      data:
        result.status === "READY"
          ? { reviewState: "published", publishedAt: new Date(), shopifyMediaId: result.mediaId, removedAt: null }
          : { reviewState: "failed", shopifyMediaId: null },
    });
  }
  const failed = results.filter((r) => r.status !== "READY");
  if (failed.length > 0) {
    throw new PermanentJobError(
      "MEDIA_FAILED",
      `Shopify could not process ${failed.length} image(s): ${failed.map((f) => f.error ?? "processing failed").join("; ")}`,
    );
  }
}

/** Removes the app's generated media from the product; the merchant's originals are never touched. */
export async function restoreOutputs(shop: string, jobId: string, outputIds: string[]) {
  const job = await getJob(shop, jobId);
  if (!job) throw new PermanentJobError("JOB_NOT_FOUND", "This job no longer exists.");
  const outputs = job.outputs.filter((o) => outputIds.includes(o.id) && o.shopifyMediaId);
  if (outputs.length === 0) return;
  const api = await adminApiForShop(shop);
  await restoreImages(api, { productId: job.productId, mediaIds: outputs.map((o) => o.shopifyMediaId!) });
  await prisma.output.updateMany({
    where: { shop, jobId, id: { in: outputs.map((o) => o.id) } },
    data: { reviewState: "restored", removedAt: new Date(), shopifyMediaId: null },
  });
}

import { claimFilename, createUploadedMedia } from "./media";
import { productGid, takeId, type EmulatorState, type ProductRecord, type ShopRecord } from "./state";
import { deliverWebhook, productPayload } from "./webhooks";

// Products changing outside the app's own calls, and the products/* webhooks every change sends: what a
// merchant does in the admin (create a product with photos) and what the app's productUpdate does.

export interface NewProduct {
  title: string;
  productType?: string;
  vendor?: string;
  /** Image files, as a merchant uploads them in the admin. */
  photos?: { filename: string; bytes: Buffer; alt?: string }[];
}

export async function createProduct(
  state: EmulatorState,
  shop: ShopRecord,
  input: NewProduct,
  processingMs: number,
): Promise<ProductRecord> {
  const now = Date.now();
  const numericId = takeId(state);
  const product: ProductRecord = {
    id: productGid(numericId),
    numericId,
    title: input.title,
    handle:
      input.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || `product-${numericId}`,
    status: "ACTIVE",
    productType: input.productType ?? "",
    vendor: input.vendor ?? shop.name,
    tags: [],
    descriptionHtml: "",
    createdAt: now,
    updatedAt: now,
    mediaIds: [],
  };
  shop.products.set(product.id, product);
  for (const photo of input.photos ?? []) {
    const media = await createUploadedMedia(state, {
      filename: claimFilename(shop, photo.filename),
      alt: photo.alt ?? "",
      originalSource: `https://admin.shopify.example/uploads/${encodeURIComponent(photo.filename)}`,
      bytes: photo.bytes,
      processingMs,
    });
    shop.media.set(media.id, media);
    product.mediaIds.push(media.id);
  }
  notifyProductChanged(state, shop, product, "products/create");
  return product;
}

/**
 * products/create or products/update now, and products/update again once the product's newest media
 * are processed (Shopify sends one when a media's status changes): the first has them UPLOADED, with
 * no image yet; the second READY, with their images.
 */
export function notifyProductChanged(
  state: EmulatorState,
  shop: ShopRecord,
  product: ProductRecord,
  topic: "products/create" | "products/update",
) {
  const sink = state.webhooks;
  if (!sink) return;
  deliverWebhook(sink, shop.domain, topic, productPayload(state, state.origin ?? "", shop, product));
  if (product.mediaIds.length === 0) return;
  // Also when they were READY already (a busy machine got here after the processing time): the status change is still sent.
  const readyAt = Math.max(0, ...product.mediaIds.map((id) => shop.media.get(id)?.readyAt ?? 0));
  const timer = setTimeout(
    () => {
      if (shop.products.get(product.id) === product)
        deliverWebhook(sink, shop.domain, "products/update", productPayload(state, state.origin ?? "", shop, product));
    },
    Math.max(0, readyAt - Date.now()) + 5,
  );
  timer.unref();
}

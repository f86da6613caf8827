import type { AdminApi } from "~/shopify/admin-api.server";
import { PRODUCT_FOR_GENERATION_QUERY, PRODUCTS_FOR_PICKER_QUERY } from "~/shopify/documents";

export interface ProductImage {
  id: string;
  url: string;
  width: number | null;
  height: number | null;
  alt: string | null;
}

export interface ProductForGeneration {
  id: string;
  title: string;
  productType?: string;
  vendor?: string;
  tags: string[];
  description?: string;
  images: ProductImage[];
}

/** The product as the prompts and the photo choice need it; null when it does not exist (any more). */
export async function getProductForGeneration(api: AdminApi, productId: string): Promise<ProductForGeneration | null> {
  const { product } = await api.request(PRODUCT_FOR_GENERATION_QUERY, { id: productId });
  if (!product) return null;
  return {
    id: product.id,
    title: product.title,
    productType: product.productType || undefined,
    vendor: product.vendor || undefined,
    tags: product.tags,
    description: product.description || undefined,
    images: product.media.nodes.flatMap((m) =>
      m.__typename === "MediaImage" && m.status === "READY" && m.image?.url
        ? [{ id: m.id, url: m.image.url, width: m.image.width ?? null, height: m.image.height ?? null, alt: m.alt ?? null }]
        : [],
    ),
  };
}

export async function listProductsForPicker(api: AdminApi, { first = 50, query }: { first?: number; query?: string } = {}) {
  const { products } = await api.request(PRODUCTS_FOR_PICKER_QUERY, { first, query: query ?? null });
  return products.nodes.map((p) => ({ id: p.id, title: p.title, imageUrl: p.featuredMedia?.preview?.image?.url ?? null }));
}

import { z } from "zod";
import type { Session } from "@shopify/shopify-api";
import { adminApiForSession } from "~/models/admin.server";
import { createJobs, getJob, type NewJob, type NewJobSource } from "~/models/jobs.server";
import { getProductForGeneration } from "~/models/products.server";
import { getSettings } from "~/models/settings.server";
import { CapReachedError, isCapped, plannedImages, refuseIfNoRoom } from "~/models/usage.server";
import { storeUploads } from "~/models/uploads.server";
import { MAX_PHOTOS } from "~/models/constants";
import { QueueUnavailableError } from "~/infra/queue.server";
import { availableProviders, defaultProvider, lifestyleOptionsSchema, whiteOptionsSchema } from "~/studio";
import { getStudioConfig } from "~/infra/studio-config.server";
import { readProductsByIds } from "~/shopify/bulk-read.server";
import { createBatch, type BatchProduct } from "~/models/batch-create.server";

// Starting generation, for the embedded page (one product, chosen photos and uploads) and for the
// admin extensions (many products, the product's own photos, the shop's defaults). Everything is
// checked before anything is stored or queued.

const productGid = z.string().regex(/^gid:\/\/shopify\/Product\/\d+$/, "Choose a product.");
const mediaGid = z.string().regex(/^gid:\/\/shopify\/(MediaImage|ProductImage)\/\d+$/);

const formSchema = z.object({
  productId: productGid,
  mode: z.enum(["white", "lifestyle"]),
  provider: z.enum(["local", "gemini", "openai-compatible"]).optional(),
  options: z.string().transform((value, ctx) => {
    try {
      return JSON.parse(value || "{}") as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "Options are not valid JSON." });
      return z.NEVER;
    }
  }),
  mediaIds: z.array(mediaGid).max(MAX_PHOTOS, `Choose at most ${MAX_PHOTOS} photos.`),
});

export interface GenerationRequest {
  productIds: string[];
  mode: "white" | "lifestyle";
  provider?: "local" | "gemini" | "openai-compatible";
  options?: unknown;
  mediaIds?: string[];
  uploads?: File[];
}

type FieldErrors = Record<string, string>;

function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) errors[String(issue.path[0] ?? "form")] ??= issue.message;
  return errors;
}

export function parseGenerationForm(form: FormData): { data: GenerationRequest } | { errors: FieldErrors } {
  const uploads = form.getAll("photos").filter((v): v is File => typeof v !== "string" && v.size > 0);
  const parsed = formSchema.safeParse({
    productId: form.get("productId") ?? "",
    mode: form.get("mode") ?? "",
    provider: form.get("provider") || undefined,
    options: form.get("options") ?? "{}",
    mediaIds: form.getAll("mediaIds").map(String),
  });
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  const count = parsed.data.mediaIds.length + uploads.length;
  if (count === 0) return { errors: { photos: "Choose at least one photo or upload one." } };
  if (count > MAX_PHOTOS) return { errors: { photos: `Use at most ${MAX_PHOTOS} photos (you chose ${count}).` } };
  const { productId, ...rest } = parsed.data;
  return { data: { ...rest, productIds: [productId], uploads } };
}

/** Far beyond the admin's own bulk selection; keeps one request's body and work bounded. */
export const MAX_SELECTION = 50_000;

export const extensionRequestSchema = z.object({
  productIds: z.array(productGid).min(1, "Select at least one product.").max(MAX_SELECTION, `Select at most ${MAX_SELECTION} products.`),
  mode: z.enum(["white", "lifestyle"]).optional(),
});

type StartResult =
  | {
      batchId: string | null;
      jobs: { id: string; productId: string }[];
      /** Products of the request already in an unfinished job of the same mode: not added again. */
      alreadyRunning?: number;
      /** The jobs are saved but Redis did not take them: the reconciler queues them within a minute. */
      queueDelayed?: boolean;
    }
  | { errors: FieldErrors; status: number };

export type GenerationSpec = { mode: "white" | "lifestyle"; provider: NonNullable<GenerationRequest["provider"]>; options: object };

/** The provider and options a request runs with: the shop's defaults under what the request chose. */
export async function resolveSpec(
  shop: string,
  request: Pick<GenerationRequest, "mode" | "provider" | "options">,
): Promise<{ spec: GenerationSpec } | { errors: FieldErrors; status: number }> {
  const settings = await getSettings(shop);
  const config = getStudioConfig();
  const mode = request.mode;
  const provider = request.provider ?? (settings.provider as GenerationRequest["provider"]) ?? defaultProvider(config);
  if (!availableProviders(config).includes(provider)) {
    return { errors: { provider: `The ${provider} provider is not configured.` }, status: 400 };
  }
  const defaults = JSON.parse(mode === "white" ? settings.whiteOptions : settings.lifestyleOptions) as object;
  const optionSchema = mode === "white" ? whiteOptionsSchema : lifestyleOptionsSchema;
  const options = optionSchema.safeParse({ ...defaults, ...(request.options ?? {}) });
  if (!options.success) return { errors: fieldErrors(options.error), status: 400 };
  return { spec: { mode, provider, options: options.data } };
}

/**
 * Queues a batch for products already read from Shopify (by id, or from a bulk read of a selection).
 * Refused up front when the cap clearly has no room; the reservation in createBatch is what holds.
 */
export async function startBatch(shop: string, products: readonly BatchProduct[], spec: GenerationSpec): Promise<StartResult> {
  const settings = await getSettings(shop);
  try {
    if (isCapped(spec.provider)) {
      await refuseIfNoRoom(
        shop,
        settings.monthlyCap,
        products.filter((p) => p.images.length > 0).map(() => plannedImages(spec.mode, spec.options)),
      );
    }
    const created = await createBatch(shop, products, spec);
    const existing = created.alreadyRunning.map((job) => ({ id: job.jobId, productId: job.productId }));
    return {
      // With nothing new, the batch that already has the products (the merchant follows it there).
      batchId: created.batchId ?? created.alreadyRunning.find((job) => job.batchId)?.batchId ?? null,
      jobs: [...created.jobs, ...existing],
      alreadyRunning: created.alreadyRunning.length,
      queueDelayed: !created.queued,
    };
  } catch (error) {
    return refusal(error);
  }
}

export async function startGeneration(session: Session, request: GenerationRequest): Promise<StartResult> {
  const shop = session.shop;
  const settings = await getSettings(shop);
  const resolved = await resolveSpec(shop, request);
  if ("errors" in resolved) return resolved;
  const { mode, provider } = resolved.spec;
  const options = { data: resolved.spec.options };

  // Refused before any upload is stored or any product looked up when the cap clearly has no room; the
  // reservation in createJobs is what holds under concurrency.
  if (isCapped(provider)) {
    try {
      await refuseIfNoRoom(
        shop,
        settings.monthlyCap,
        request.productIds.map(() => plannedImages(mode, options.data)),
      );
    } catch (error) {
      return refusal(error);
    }
  }

  // Several products (the bulk action): read by id in chunks, written and queued in bulk.
  if (request.productIds.length > 1) {
    const api = adminApiForSession(session);
    const products: BatchProduct[] = [];
    for await (const chunk of readProductsByIds(api, request.productIds)) {
      if (chunk.missingIds.length) {
        return { errors: { productId: `Product ${chunk.missingIds[0]} does not exist in this store.` }, status: 404 };
      }
      products.push(...chunk.products);
    }
    return startBatch(shop, products, resolved.spec);
  }

  const api = adminApiForSession(session);
  const products = [];
  for (const productId of request.productIds) {
    const product = await getProductForGeneration(api, productId);
    if (!product) return { errors: { productId: `Product ${productId} does not exist in this store.` }, status: 404 };
    products.push(product);
  }

  // Photos chosen from the product are taken from what Shopify says the product has, never from
  // URLs the browser sent.
  const single = products.length === 1;
  const uploads = single && request.uploads?.length ? await storeUploads(shop, request.uploads) : [];
  if ("error" in uploads) return { errors: { photos: uploads.error }, status: 400 };

  const plans = products.map((product) => {
    const chosen =
      single && request.mediaIds
        ? request.mediaIds.map((id) => product.images.find((image) => image.id === id))
        : product.images.slice(0, MAX_PHOTOS);
    const sources: NewJobSource[] = [];
    for (const image of chosen) {
      if (!image) return { product, error: "A chosen photo does not belong to this product." };
      sources.push({
        origin: "product",
        shopifyMediaId: image.id,
        url: image.url,
        width: image.width ?? undefined,
        height: image.height ?? undefined,
      });
    }
    if (single) for (const upload of uploads) sources.push({ origin: "upload", ...upload });
    if (sources.length === 0) return { product, error: `${product.title} has no photos to work from.` };
    return { product, sources };
  });

  const invalid = plans.find((plan) => "error" in plan);
  if (single && invalid && "error" in invalid) return { errors: { photos: invalid.error! }, status: 400 };

  // The cap is checked by reserving each job's images as the jobs are created, all at once: a bulk
  // request that would pass it is refused whole, saying how many products fit.
  const jobs = plans.map((plan): NewJob => ({
    productId: plan.product.id,
    productTitle: plan.product.title,
    mode,
    options: options.data,
    provider,
    sources: plan.sources ?? [],
    // In a batch, a product that cannot be done is shown as failed with its reason, not dropped.
    ...(plan.error ? { failure: { code: "NO_PHOTOS", message: plan.error } } : {}),
  }));
  try {
    const created = await createJobs(shop, jobs, single ? undefined : { mode, options: options.data });
    return { batchId: created.batch?.id ?? null, jobs: created.jobs.map((job) => ({ id: job.id, productId: job.productId })) };
  } catch (error) {
    return refusal(error);
  }
}

/** A refused start as the pages and the extensions show it; anything else is not ours to answer. */
function refusal(error: unknown): { errors: FieldErrors; status: number } {
  if (error instanceof CapReachedError) return { errors: { form: error.message }, status: 402 };
  if (error instanceof QueueUnavailableError) {
    return { errors: { form: "The job queue is unavailable. Try again in a minute." }, status: 503 };
  }
  throw error;
}

/**
 * A new job for the same product and photos as an earlier one, with some options changed (another
 * preset or style, a different fill...). The earlier job and its outputs stay as they are, so the
 * merchant can compare and publish whichever is better.
 */
export async function regenerateJob(
  shop: string,
  jobId: string,
  changes: unknown,
): Promise<{ job: { id: string } } | { errors: FieldErrors; status: number }> {
  const earlier = await getJob(shop, jobId);
  if (!earlier) return { errors: { form: "This job does not exist in this store." }, status: 404 };
  if (!["done", "failed", "cancelled"].includes(earlier.status)) {
    return { errors: { form: "Wait for this job to finish before regenerating." }, status: 409 };
  }
  const config = getStudioConfig();
  if (!availableProviders(config).includes(earlier.provider as never)) {
    return { errors: { provider: `The ${earlier.provider} provider is no longer configured.` }, status: 400 };
  }
  const mode = earlier.mode as "white" | "lifestyle";
  const schema = mode === "white" ? whiteOptionsSchema : lifestyleOptionsSchema;
  const overrides = changes && typeof changes === "object" ? changes : {};
  const options = schema.safeParse({ ...(JSON.parse(earlier.options) as object), ...overrides });
  if (!options.success) return { errors: fieldErrors(options.error), status: 400 };

  // The same photos: product media by the URL Shopify gave when the job was made, uploads by the file
  // stored then.
  const sources: NewJobSource[] = earlier.sources.map((source) => ({
    origin: source.origin as NewJobSource["origin"],
    shopifyMediaId: source.shopifyMediaId ?? undefined,
    url: source.url ?? undefined,
    storageKey: source.storageKey ?? undefined,
    width: source.width ?? undefined,
    height: source.height ?? undefined,
    bytes: source.bytes ?? undefined,
  }));
  try {
    const created = await createJobs(shop, [
      {
        productId: earlier.productId,
        productTitle: earlier.productTitle,
        mode,
        options: options.data,
        provider: earlier.provider,
        sources,
        // Not added to the earlier job's batch: a batch has one job per product.
      },
    ]);
    return { job: { id: created.jobs[0].id } };
  } catch (error) {
    return refusal(error);
  }
}

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
import { billingEnabled, providersAllowed } from "~/models/billing.server";
import { readProductsByIds } from "~/shopify/bulk-read.server";
import { createBatch, type BatchProduct } from "~/models/batch-create.server";
import { formError, issue, OPTION_ERRORS, parseForm, parseValue } from "~/infra/forms.server";
import { render, type FieldErrors, type Message } from "~/i18n/index";
import { economyUnavailable } from "~/models/google-batches.server";

// Starting generation, for the embedded page (one product, chosen photos and uploads) and for the
// admin extensions (many products, the product's own photos, the shop's defaults). Everything is
// checked before anything is stored or queued.

const productGid = z.string(issue("PRODUCT_REQUIRED")).regex(/^gid:\/\/shopify\/Product\/\d+$/, issue("PRODUCT_REQUIRED"));
const mediaGid = z.string().regex(/^gid:\/\/shopify\/(MediaImage|ProductImage)\/\d+$/, issue("PHOTO_NOT_ON_PRODUCT"));

// The New generation page's fields; its photos are read beside them (parseUploadForm).
const formSchema = z.object({
  productId: productGid,
  mode: z.enum(["white", "lifestyle"], issue("MODE_REQUIRED")),
  provider: z.enum(["local", "gemini", "openai-compatible"], issue("PROVIDER_REQUIRED")).optional(),
  options: z
    .string()
    .default("{}")
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: issue("OPTIONS_NOT_JSON") });
        return z.NEVER;
      }
    }),
  mediaIds: z
    .array(mediaGid)
    .max(MAX_PHOTOS, issue("PHOTOS_TOO_MANY", { count: MAX_PHOTOS }))
    .default([]),
});

export interface GenerationRequest {
  productIds: string[];
  mode: "white" | "lifestyle";
  provider?: "local" | "gemini" | "openai-compatible";
  options?: unknown;
  mediaIds?: string[];
  uploads?: File[];
}

export function parseGenerationForm(form: FormData): { data: GenerationRequest } | { errors: FieldErrors } {
  const uploads = form.getAll("photos").filter((v): v is File => typeof v !== "string" && v.size > 0);
  const parsed = parseForm(form, formSchema);
  if ("errors" in parsed) return parsed;
  const count = parsed.data.mediaIds.length + uploads.length;
  if (count === 0) return { errors: { photos: { code: "PHOTOS_REQUIRED" } } };
  if (count > MAX_PHOTOS) return { errors: { photos: { code: "PHOTOS_TOO_MANY_CHOSEN", values: { max: MAX_PHOTOS, chosen: count } } } };
  const { productId, ...rest } = parsed.data;
  return { data: { ...rest, productIds: [productId], uploads } };
}

/** Far beyond the admin's own bulk selection; keeps one request's body and work bounded. */
export const MAX_SELECTION = 50_000;

export const extensionRequestSchema = z.object({
  productIds: z
    .array(productGid, issue("PRODUCTS_REQUIRED"))
    .min(1, issue("PRODUCTS_REQUIRED"))
    .max(MAX_SELECTION, issue("PRODUCTS_TOO_MANY", { count: MAX_SELECTION })),
  mode: z.enum(["white", "lifestyle"], issue("MODE_REQUIRED")).optional(),
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
  let provider = request.provider ?? (settings.provider as GenerationRequest["provider"]) ?? defaultProvider(config);
  if (!availableProviders(config).includes(provider)) {
    return { errors: { provider: { code: "PROVIDER_NOT_CONFIGURED", values: { provider } } }, status: 400 };
  }
  // The free plan makes images with the local provider: a default or setting falls back to it, an
  // explicit request for a paid provider is refused saying why.
  const allowed = await providersAllowed(shop);
  if (allowed !== "all" && !allowed.includes(provider)) {
    if (request.provider) return { errors: { provider: { code: "PLAN_NEEDED", values: { provider } } }, status: 402 };
    provider = "local";
  }
  const defaults = JSON.parse(mode === "white" ? settings.whiteOptions : settings.lifestyleOptions) as object;
  const optionSchema = mode === "white" ? whiteOptionsSchema : lifestyleOptionsSchema;
  const options = parseValue({ ...defaults, ...(request.options ?? {}) }, optionSchema, OPTION_ERRORS);
  if ("errors" in options) return { errors: options.errors, status: 400 };
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
  const config = getStudioConfig();

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

  // Several products (the bulk action): read by id in chunks, written and queued in bulk. An economy
  // batch (Google's Batch API, one queue entry for the whole batch) still goes through createJobs below.
  const economyBatch = settings.economyBulk && provider === "gemini" && !economyUnavailable(config);
  if (request.productIds.length > 1 && !economyBatch) {
    const api = adminApiForSession(session);
    const products: BatchProduct[] = [];
    for await (const chunk of readProductsByIds(api, request.productIds)) {
      if (chunk.missingIds.length) {
        return { errors: { productId: { code: "PRODUCT_NOT_FOUND", values: { id: chunk.missingIds[0] } } }, status: 404 };
      }
      products.push(...chunk.products);
    }
    return startBatch(shop, products, resolved.spec);
  }

  const api = adminApiForSession(session);
  const products = [];
  for (const productId of request.productIds) {
    const product = await getProductForGeneration(api, productId);
    if (!product) return { errors: { productId: { code: "PRODUCT_NOT_FOUND", values: { id: productId } } }, status: 404 };
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
      if (!image) return { product, error: { code: "PHOTO_NOT_ON_PRODUCT" } satisfies Message };
      sources.push({
        origin: "product",
        shopifyMediaId: image.id,
        url: image.url,
        width: image.width ?? undefined,
        height: image.height ?? undefined,
      });
    }
    if (single) for (const upload of uploads) sources.push({ origin: "upload", ...upload });
    if (sources.length === 0)
      return { product, error: { code: "PRODUCT_HAS_NO_PHOTOS", values: { title: product.title } } satisfies Message };
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
    ...(plan.error ? { failure: { code: "NO_PHOTOS", message: render("en", plan.error) } } : {}),
  }));
  try {
    // Economy bulk (a shop setting) sends a batch's generation through Google's Batch API at half the price.
    const economy = !single && settings.economyBulk && provider === "gemini" && !economyUnavailable(config);
    const created = await createJobs(shop, jobs, single ? undefined : { mode, options: options.data, economy });
    return { batchId: created.batch?.id ?? null, jobs: created.jobs.map((job) => ({ id: job.id, productId: job.productId })) };
  } catch (error) {
    return refusal(error);
  }
}

/**
 * A refused start or retry as the pages and the extensions show it (on `field`, "form" unless the page
 * says otherwise); anything else is not ours to answer.
 */
export function refusal(error: unknown, field = "form"): { errors: FieldErrors; status: number } {
  if (error instanceof CapReachedError) return { errors: { [field]: capMessage(error) }, status: 402 };
  if (error instanceof QueueUnavailableError) return { errors: { form: { code: "QUEUE_UNAVAILABLE" } }, status: 503 };
  throw error;
}

/** With billing on, the cap is the plan's and is raised on the Plans and billing page, not in Settings. */
function capMessage(error: CapReachedError): Message {
  if (!billingEnabled()) return error.reason;
  const { cap, used, left } = error.capacity;
  const needed = error.needed.reduce((sum, images) => sum + images, 0);
  return left
    ? { code: "BILLING_CAP_NO_ROOM", values: { needed, left } }
    : { code: "BILLING_CAP_REACHED", values: { cap: cap ?? 0, used } };
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
  if (!earlier) return { errors: formError("JOB_NOT_FOUND"), status: 404 };
  if (!["done", "failed", "cancelled"].includes(earlier.status)) return { errors: formError("JOB_NOT_FINISHED"), status: 409 };
  const config = getStudioConfig();
  if (!availableProviders(config).includes(earlier.provider as never)) {
    return { errors: { provider: { code: "PROVIDER_NOT_CONFIGURED", values: { provider: earlier.provider } } }, status: 400 };
  }
  const allowed = await providersAllowed(shop);
  if (allowed !== "all" && !allowed.includes(earlier.provider)) {
    return { errors: { provider: { code: "PLAN_NEEDED", values: { provider: earlier.provider } } }, status: 402 };
  }
  const mode = earlier.mode as "white" | "lifestyle";
  const schema = mode === "white" ? whiteOptionsSchema : lifestyleOptionsSchema;
  const overrides = changes && typeof changes === "object" ? changes : {};
  const options = parseValue({ ...(JSON.parse(earlier.options) as object), ...overrides }, schema, OPTION_ERRORS);
  if ("errors" in options) return { errors: options.errors, status: 400 };

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

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
import { translate, type Locale } from "~/i18n/index";

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
  /** The language of refusals the merchant reads (the cap, the plan). */
  locale?: Locale;
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

export const extensionRequestSchema = z.object({
  productIds: z.array(productGid).min(1, "Select at least one product.").max(250, "Select at most 250 products."),
  mode: z.enum(["white", "lifestyle"]).optional(),
});

type StartResult = { batchId: string | null; jobs: { id: string; productId: string }[] } | { errors: FieldErrors; status: number };

export async function startGeneration(session: Session, request: GenerationRequest): Promise<StartResult> {
  const shop = session.shop;
  const settings = await getSettings(shop);
  const config = getStudioConfig();
  const mode = request.mode;
  let provider = request.provider ?? (settings.provider as GenerationRequest["provider"]) ?? defaultProvider(config);
  if (!availableProviders(config).includes(provider)) {
    return { errors: { provider: `The ${provider} provider is not configured.` }, status: 400 };
  }
  // The free plan makes images with the local provider: a default or setting falls back to it, an
  // explicit request for a paid provider is refused saying why.
  const allowed = await providersAllowed(shop);
  if (allowed !== "all" && !allowed.includes(provider)) {
    if (request.provider)
      return { errors: { provider: translate(request.locale ?? "en", "billing.planNeeded", { provider }) }, status: 402 };
    provider = "local";
  }
  const defaults = JSON.parse(mode === "white" ? settings.whiteOptions : settings.lifestyleOptions) as object;
  const optionSchema = mode === "white" ? whiteOptionsSchema : lifestyleOptionsSchema;
  const options = optionSchema.safeParse({ ...defaults, ...(request.options ?? {}) });
  if (!options.success) return { errors: fieldErrors(options.error), status: 400 };

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
      return refusal(error, request.locale);
    }
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
    return refusal(error, request.locale);
  }
}

/** A refused start as the pages and the extensions show it; anything else is not ours to answer. */
function refusal(error: unknown, locale: Locale = "en"): { errors: FieldErrors; status: number } {
  if (error instanceof CapReachedError) return { errors: { form: capRefusal(error, locale) }, status: 402 };
  if (error instanceof QueueUnavailableError) {
    return { errors: { form: "The job queue is unavailable. Try again in a minute." }, status: 503 };
  }
  throw error;
}

/** The plan's cap in the merchant's language (with billing off, the settings' cap speaks English, as before). */
function capRefusal(error: CapReachedError, locale: Locale): string {
  if (!billingEnabled()) return error.message;
  const { cap, used, left } = error.capacity;
  const needed = error.needed.reduce((sum, images) => sum + images, 0);
  return left
    ? translate(locale, "billing.capTooSmall", { needed, left })
    : translate(locale, "billing.capReached", { cap: cap ?? 0, used });
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
  const allowed = await providersAllowed(shop);
  if (allowed !== "all" && !allowed.includes(earlier.provider)) {
    return { errors: { provider: translate("en", "billing.planNeeded", { provider: earlier.provider }) }, status: 402 };
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

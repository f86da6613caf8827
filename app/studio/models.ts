import { RATIOS, type ProviderName, type Ratio } from "./options";

/**
 * Google's image models, as their own pages described them when this was written (read 2026-12-01).
 * Google changes these often: check the sources below before trusting a figure, and keep the model id a
 * setting (GEMINI_MODEL, NANO_BANANA_MODEL), never a constant elsewhere.
 *
 * Sources, with what each page says of its date:
 * - CHANGELOG  https://ai.google.dev/gemini-api/docs/changelog — newest entries 2026-10-06 (Nano Banana 2.1 GA,
 *   gemini-3.1-flash-image deprecated) and 2026-10-13 (Gemini 4 Argon); 2026-06-30 (3.1 Flash Lite Image GA);
 *   2026-05-28 (3 Pro Image and 3.1 Flash Image GA, previews to shut down 2026-06-25); 2026-01-15
 *   (gemini-2.5-flash-image-preview shut down).
 * - DEPRECATIONS  https://ai.google.dev/gemini-api/docs/deprecations — undated copy whose newest row is
 *   gemini-3.8-live (2026-09-15): "shutdown dates … indicate the earliest possible dates"; gemini-2.5-flash-image
 *   released 2025-10-02, shutdown 2026-10-02; preview image models shut down 2026-06-25.
 * - VERTEX  https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/model-versions — undated copy
 *   whose newest row is gemini-4-argon (2026-10-13): gemini-2.5-flash-image retires 2027-03-15 (replacement
 *   gemini-3.1-flash-lite-image); 3 Pro Image and 3.1 Flash Image "May 28, 2027 or later"; 3.1 Flash Lite Image
 *   released 2026-06-23, "June 28, 2027 or later"; "API requests referencing a retired model ID typically
 *   returns a 404 error".
 * - MODELS  https://ai.google.dev/gemini-api/docs/models — undated copy listing Gemini 4 Argon: stable image
 *   models Nano Banana 2.1, Nano Banana 2 (gemini-3.1-flash-image), Nano Banana 2 Lite
 *   (gemini-3.1-flash-lite-image), Nano Banana Pro (gemini-3-pro-image).
 * - PRICING  https://ai.google.dev/gemini-api/docs/pricing — Google's page itself is not in the stored corpus;
 *   figures come from copies that quote it: api-evangelist/gemini plans/gemini-plans-pricing.yml (page read
 *   2026-09-20: 3 Pro Image "$120.00 (images) … Equivalent to $0.134 per 1K/2K image and $0.24 per 4K image";
 *   paid tier "Batch API (50% cost reduction)"), aifreeapi.com/en/posts/nano-banana-2-pricing-api ("As of
 *   March 24, 2026": 3.1 Flash Image $0.045/$0.067/$0.101/$0.151 at 0.5K/1K/2K/4K, Batch $0.022/$0.034/$0.050/
 *   $0.076), github.com/BerriAI/litellm/discussions/44983 (October 2026: Nano Banana 2.1 "$30 / MTok ($0.0336
 *   per 1K image)"; "The Gemini API shuts down gemini-3.1-flash-image on October 29, 2026"),
 *   inference.sh/apps/google/gemini-nano-banana-2-1 (updated 2026-11-06: "$0.0336–$0.1134/image (1K–4K)").
 * - REFERENCES  docs.laozhang.ai/en/api-capabilities/nano-banana-2-1-image (October 2026: 2.1 takes "Up to 14:
 *   at most 10 object images and 4 character"), invoke-ai.github.io InvokeAI-7 Gemini page (3 Pro Image "Up to
 *   14 (6 object + 5 character)", 3.1 Flash Image "Up to 14 (10 object + 4 character)"), and Google's image
 *   guide as PLATFORM.md quotes it for 2.5 Flash Image ("works best with up to 3").
 * Where no source gave a figure, the entry says so and uses the conservative value (more cost, fewer references).
 */

/** Native output sizes (`imageConfig.imageSize`) and the longest side each renders, in pixels. */
export const IMAGE_SIZES = { "512": 512, "1K": 1024, "2K": 2048, "4K": 4096 } as const;
export type ImageSize = keyof typeof IMAGE_SIZES;

export type LifecycleStage = "ga" | "preview" | "deprecated" | "retired";

export interface Lifecycle {
  stage: LifecycleStage;
  released: string;
  deprecated?: string;
  /** Earliest shutdown Google announced (Gemini API), or when it happened. */
  shutdown?: string;
  replacement?: string;
  note?: string;
}

export interface ModelSpec {
  id: string;
  name: string;
  /** Names gateways (the OpenAI-style ones) use for the same model. */
  aliases: string[];
  maxReferenceImages: number;
  /** Sizes rendered natively, smallest first. */
  sizes: ImageSize[];
  /** False for models that reject `imageConfig.imageSize` (they render about 1K whatever is asked). */
  takesImageSize: boolean;
  ratios: readonly Ratio[];
  canChangeViewpoint: boolean;
  /** USD per output image at each native size: interactive, and through the Batch API. */
  price: Record<ImageSize, number | undefined>;
  batchPrice: Record<ImageSize, number | undefined>;
  lifecycle: Lifecycle;
}

const ALL_RATIOS = RATIOS;
const half = (price: ModelSpec["price"]): ModelSpec["batchPrice"] =>
  Object.fromEntries(
    Object.entries(price).map(([size, usd]) => [size, usd === undefined ? undefined : Math.round((usd / 2) * 10_000) / 10_000]),
  ) as ModelSpec["batchPrice"];

const NANO_BANANA_PRO_PRICE = { "512": undefined, "1K": 0.134, "2K": 0.134, "4K": 0.24 };
const NANO_BANANA_2_PRICE = { "512": 0.045, "1K": 0.067, "2K": 0.101, "4K": 0.151 };

export const MODELS: readonly ModelSpec[] = [
  {
    id: "gemini-nano-banana-2.1",
    name: "Nano Banana 2.1",
    aliases: ["nano-banana-2.1"],
    maxReferenceImages: 14, // REFERENCES (laozhang, October 2026)
    sizes: ["1K", "2K", "4K"], // CHANGELOG 2026-10-06: "1K, 2K and 4K"; 512 is not accepted (laozhang)
    takesImageSize: true,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    // PRICING: 1K $0.0336 (LiteLLM), 4K $0.1134 (inference.sh). No 2K figure was found: the 4K price is used.
    price: { "512": undefined, "1K": 0.0336, "2K": 0.1134, "4K": 0.1134 },
    batchPrice: half({ "512": undefined, "1K": 0.0336, "2K": 0.1134, "4K": 0.1134 }),
    lifecycle: { stage: "ga", released: "2026-10-06" }, // CHANGELOG, MODELS
  },
  {
    id: "gemini-3-pro-image",
    name: "Nano Banana Pro",
    aliases: ["nano-banana-pro"],
    maxReferenceImages: 14, // REFERENCES (InvokeAI: 6 object + 5 character)
    sizes: ["1K", "2K", "4K"],
    takesImageSize: true,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    price: NANO_BANANA_PRO_PRICE, // PRICING (page read 2026-09-20)
    batchPrice: half(NANO_BANANA_PRO_PRICE), // $0.067 / $0.12
    lifecycle: { stage: "ga", released: "2026-05-28", note: "Vertex AI: available until 2027-05-28 or later" }, // CHANGELOG, VERTEX
  },
  {
    id: "gemini-3.1-flash-image",
    name: "Nano Banana 2",
    aliases: ["nano-banana-2"],
    maxReferenceImages: 14, // REFERENCES (InvokeAI: 10 object + 4 character)
    sizes: ["512", "1K", "2K", "4K"],
    takesImageSize: true,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    price: NANO_BANANA_2_PRICE, // PRICING (aifreeapi, as of 2026-03-24)
    batchPrice: { "512": 0.022, "1K": 0.034, "2K": 0.05, "4K": 0.076 },
    lifecycle: {
      stage: "deprecated",
      released: "2026-05-28",
      deprecated: "2026-10-06",
      shutdown: "2026-10-29",
      replacement: "gemini-nano-banana-2.1",
      note: "Google's changelog (2026-10-06) announced no shutdown date; 2026-10-29 is LiteLLM's report",
    },
  },
  {
    id: "gemini-3.1-flash-lite-image",
    name: "Nano Banana 2 Lite",
    aliases: ["nano-banana-2-lite"],
    maxReferenceImages: 3, // no published figure found: the most conservative known limit
    sizes: ["1K"], // 1K only (apiyi's model table); whether it accepts imageSize is unpublished, so none is sent
    takesImageSize: false,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    // $30 per million image tokens (ngrok's gateway list, at Google's rate) × 1120 tokens for 1K.
    price: { "512": undefined, "1K": 0.0336, "2K": undefined, "4K": undefined },
    batchPrice: { "512": undefined, "1K": 0.0168, "2K": undefined, "4K": undefined },
    lifecycle: { stage: "ga", released: "2026-06-30", note: "Vertex AI: released 2026-06-23, until 2027-06-28 or later" },
  },
  {
    id: "gemini-2.5-flash-image",
    name: "Nano Banana",
    aliases: ["nano-banana"],
    maxReferenceImages: 3,
    sizes: ["1K"],
    takesImageSize: false,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    // 1290 output tokens at $30 per million (PLATFORM.md; Google's pricing page).
    price: { "512": undefined, "1K": 0.039, "2K": undefined, "4K": undefined },
    batchPrice: { "512": undefined, "1K": 0.0195, "2K": undefined, "4K": undefined },
    lifecycle: {
      stage: "deprecated",
      released: "2025-10-02",
      shutdown: "2026-10-02",
      replacement: "gemini-nano-banana-2.1",
      note: "Gemini API shutdown 2026-10-02 (DEPRECATIONS); Vertex AI keeps it until 2027-03-15 (VERTEX)",
    },
  },
  {
    id: "gemini-3-pro-image-preview",
    name: "Nano Banana Pro (preview)",
    aliases: [],
    maxReferenceImages: 14,
    sizes: ["1K", "2K", "4K"],
    takesImageSize: true,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    price: NANO_BANANA_PRO_PRICE,
    batchPrice: half(NANO_BANANA_PRO_PRICE),
    lifecycle: {
      stage: "retired",
      released: "2025-11-20",
      deprecated: "2026-05-28",
      shutdown: "2026-06-25",
      replacement: "gemini-3-pro-image",
    },
  },
  {
    id: "gemini-3.1-flash-image-preview",
    name: "Nano Banana 2 (preview)",
    aliases: [],
    maxReferenceImages: 14,
    sizes: ["512", "1K", "2K", "4K"],
    takesImageSize: true,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    price: NANO_BANANA_2_PRICE,
    batchPrice: { "512": 0.022, "1K": 0.034, "2K": 0.05, "4K": 0.076 },
    lifecycle: {
      stage: "retired",
      released: "2026-02-26",
      deprecated: "2026-05-28",
      shutdown: "2026-06-25",
      replacement: "gemini-nano-banana-2.1",
    },
  },
  {
    id: "gemini-2.5-flash-image-preview",
    name: "Nano Banana (preview)",
    aliases: [],
    maxReferenceImages: 3,
    sizes: ["1K"],
    takesImageSize: false,
    ratios: ALL_RATIOS,
    canChangeViewpoint: true,
    price: { "512": undefined, "1K": 0.039, "2K": undefined, "4K": undefined },
    batchPrice: { "512": undefined, "1K": 0.0195, "2K": undefined, "4K": undefined },
    lifecycle: { stage: "retired", released: "2025-08-26", shutdown: "2026-01-15", replacement: "gemini-nano-banana-2.1" },
  },
];

/** The default model: generally available, no shutdown announced, Google's named successor of Nano Banana 2. */
export const DEFAULT_IMAGE_MODEL = "gemini-nano-banana-2.1";

/**
 * What the app assumes of a model it does not know: the fewest references and the smallest size any known
 * model has, no `imageSize` parameter, no claimed viewpoint change, and the highest known price at any size
 * and in batches too, so that estimates and the monthly cap never undercount.
 */
const UNKNOWN_MODEL: Omit<ModelSpec, "id"> = {
  name: "unknown model",
  aliases: [],
  maxReferenceImages: 3,
  sizes: ["1K"],
  takesImageSize: false,
  ratios: ALL_RATIOS,
  canChangeViewpoint: false,
  price: { "512": 0.24, "1K": 0.24, "2K": 0.24, "4K": 0.24 },
  batchPrice: { "512": 0.24, "1K": 0.24, "2K": 0.24, "4K": 0.24 },
  lifecycle: { stage: "ga", released: "unknown" },
};

export interface ResolvedModel {
  spec: ModelSpec;
  known: boolean;
  /** What the merchant's logs should say about this model, if anything (unknown, deprecated). */
  note?: string;
}

/** The registry entry for a model id (or a gateway alias such as `nano-banana`), or conservative capabilities. */
export function resolveModel(id: string): ResolvedModel {
  const wanted = id
    .trim()
    .toLowerCase()
    .replace(/^models\//, "");
  const spec = MODELS.find((m) => m.id === wanted || m.aliases.includes(wanted));
  if (!spec) {
    return {
      spec: { ...UNKNOWN_MODEL, id },
      known: false,
      note: `model ${id} is not in the app's registry: assumed ${UNKNOWN_MODEL.maxReferenceImages} reference photos, about 1K output, no viewpoint change, and the highest known price`,
    };
  }
  const { lifecycle } = spec;
  const note =
    lifecycle.stage === "deprecated"
      ? `${spec.id} is deprecated${lifecycle.shutdown ? ` (shutdown ${lifecycle.shutdown})` : ""}; switch to ${lifecycle.replacement ?? DEFAULT_IMAGE_MODEL}`
      : undefined;
  return { spec, known: true, note };
}

/**
 * The native size to ask for: the one nearest the requested longest side by scale factor (so 1500 px asks
 * for 2K, 1400 px for 1K), on ties the larger. The studio resizes the answer to the exact size afterwards.
 */
export function nativeSizeFor(spec: ModelSpec, requestedSide: number): ImageSize {
  let best = spec.sizes[0];
  for (const size of spec.sizes) {
    const distance = Math.abs(Math.log(requestedSide / IMAGE_SIZES[size]));
    const bestDistance = Math.abs(Math.log(requestedSide / IMAGE_SIZES[best]));
    if (distance < bestDistance || (distance === bestDistance && IMAGE_SIZES[size] > IMAGE_SIZES[best])) best = size;
  }
  return best;
}

/** The setting that names the model for each generative provider, for messages that tell an admin what to change. */
export const MODEL_SETTING: Record<Exclude<ProviderName, "local">, string> = {
  gemini: "GEMINI_MODEL",
  "openai-compatible": "NANO_BANANA_MODEL",
};

/**
 * Estimated provider price of one output image, in USD: what the usage records and the monthly cap count.
 * `size` is the requested longest side in pixels (the native size is chosen as the provider does) or a
 * native size. Through a gateway the gateway's own price applies; the model's Google price is the estimate.
 */
export function pricePerImageUsd(
  provider: ProviderName,
  model: string | undefined,
  size: number | ImageSize,
  options: { batch?: boolean } = {},
): number {
  if (provider === "local" || !model) return 0;
  const { spec } = resolveModel(model);
  const native = typeof size === "number" ? nativeSizeFor(spec, size) : size;
  const table = options.batch ? spec.batchPrice : spec.price;
  // A size without a published price falls back to the dearest published one.
  return table[native] ?? Math.max(...Object.values(table).filter((v): v is number => v !== undefined));
}

import { z } from "zod";
import { DEFAULT_IMAGE_MODEL, IMAGE_SIZES, resolveModel } from "./models";
import { type ProviderName, type Ratio, RATIOS } from "./options";
import type { ImageAnnotatorClient } from "@google-cloud/vision";
import type { ProviderGate } from "./providers/types";

type VisionClientOptions = NonNullable<ConstructorParameters<typeof ImageAnnotatorClient>[0]>;
export type VisionAuthClient = NonNullable<VisionClientOptions["authClient"]>;

export interface StudioConfig {
  gemini?: { apiKey?: string; vertex?: { project: string; location: string }; model: string; baseUrl?: string };
  openaiCompatible?: { baseUrl: string; apiKey: string; model: string };
  /**
   * Cloud Vision, for labels, objects and dominant colours. Without `authClient`, the SDK finds
   * credentials itself (GOOGLE_APPLICATION_CREDENTIALS); `authClient` is any google-auth-library client.
   */
  vision?: { apiEndpoint?: string; port?: number; protocol?: "http" | "https"; authClient?: VisionAuthClient };
  /** Retries of transient provider errors inside one job (default 3 attempts from 1 s). */
  retry?: { attempts: number; baseDelayMs: number };
  /** The limits every worker shares for each paid provider (none: requests go out as they come). */
  gate?: ProviderGate;
}

export interface ProviderCapabilities {
  /** Photos sent per request: the model's reference limit, at most the 5 a merchant can choose. */
  maxInputImages: number;
  /** Longest output sides the provider produces natively; the studio resizes to the requested size. */
  sizes: number[];
  ratios: Ratio[];
  canChangeViewpoint: boolean;
}

/** A merchant chooses at most this many photos; a model that takes more still gets these. */
export const MAX_CHOSEN_PHOTOS = 5;

const optional = z.string().trim().min(1).optional();
const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");

export const studioEnvSchema = z.object({
  GEMINI_API_KEY: optional,
  GEMINI_MODEL: z.string().trim().min(1).default(DEFAULT_IMAGE_MODEL),
  GEMINI_API_BASE_URL: z.url().optional(),
  GOOGLE_GENAI_USE_VERTEXAI: flag,
  GOOGLE_CLOUD_PROJECT: optional,
  GOOGLE_CLOUD_LOCATION: optional,
  NANO_BANANA_API_BASE: z.url().optional(),
  NANO_BANANA_API_KEY: optional,
  NANO_BANANA_MODEL: z.string().trim().min(1).default(DEFAULT_IMAGE_MODEL),
  GOOGLE_APPLICATION_CREDENTIALS: optional,
  VISION_API_ENDPOINT: z.url().optional(),
});
export type StudioEnv = z.infer<typeof studioEnvSchema>;

export function studioConfigFromEnv(env: StudioEnv): StudioConfig {
  const config: StudioConfig = {};
  const vertex =
    env.GOOGLE_GENAI_USE_VERTEXAI && env.GOOGLE_CLOUD_PROJECT
      ? { project: env.GOOGLE_CLOUD_PROJECT, location: env.GOOGLE_CLOUD_LOCATION ?? "global" }
      : undefined;
  if (env.GEMINI_API_KEY || vertex) {
    config.gemini = { apiKey: env.GEMINI_API_KEY, vertex, model: env.GEMINI_MODEL, baseUrl: env.GEMINI_API_BASE_URL };
  }
  if (env.NANO_BANANA_API_BASE && env.NANO_BANANA_API_KEY) {
    config.openaiCompatible = { baseUrl: env.NANO_BANANA_API_BASE, apiKey: env.NANO_BANANA_API_KEY, model: env.NANO_BANANA_MODEL };
  }
  if (env.VISION_API_ENDPOINT) {
    const url = new URL(env.VISION_API_ENDPOINT);
    config.vision = {
      apiEndpoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      protocol: url.protocol === "http:" ? "http" : "https",
    };
  } else if (env.GOOGLE_APPLICATION_CREDENTIALS) {
    config.vision = {};
  }
  return config;
}

export function availableProviders(config: StudioConfig): ProviderName[] {
  const names: ProviderName[] = ["local"];
  if (config.gemini) names.push("gemini");
  if (config.openaiCompatible) names.push("openai-compatible");
  return names;
}

/** Gemini when configured, then the OpenAI-style gateway, else local so a fresh install works offline. */
export function defaultProvider(config: StudioConfig): ProviderName {
  if (config.gemini) return "gemini";
  if (config.openaiCompatible) return "openai-compatible";
  return "local";
}

/** What a provider can do: the local one is fixed; generative ones are what the model registry says of the configured model. */
export function providerCapabilities(name: ProviderName, config: StudioConfig): ProviderCapabilities {
  if (name === "local") {
    return { maxInputImages: 1, sizes: [4096], ratios: [...RATIOS], canChangeViewpoint: false };
  }
  const model = name === "gemini" ? config.gemini?.model : config.openaiCompatible?.model;
  const { spec } = resolveModel(model ?? "");
  return {
    maxInputImages: Math.min(spec.maxReferenceImages, MAX_CHOSEN_PHOTOS),
    sizes: spec.sizes.map((size) => IMAGE_SIZES[size]),
    ratios: [...spec.ratios],
    canChangeViewpoint: spec.canChangeViewpoint,
  };
}

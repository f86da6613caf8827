import { ApiError, GoogleGenAI, type GenerateContentParameters, type GenerateContentResponse } from "@google/genai";
import sharp from "sharp";
import type { StudioConfig } from "../config";
import { StudioError } from "../errors";
import { DEFAULT_IMAGE_MODEL, MODEL_SETTING, nativeSizeFor, resolveModel, type ResolvedModel } from "../models";
import { classifyNetworkError, classifyStatus, modelNotFound, retryAfterMs, type ModelSetting } from "./http-errors";
import { withRetry } from "./retry";
import {
  DEFAULT_RETRY,
  OPEN_GATE,
  type ImageAnswer,
  type ImageProvider,
  type ImageRequest,
  type ProviderGate,
  type RetryPolicy,
} from "./types";

export const GEMINI_NAME = "Gemini";
const TIMEOUT_MS = 120_000;
const SAFETY_REASONS = new Set([
  "SAFETY",
  "IMAGE_SAFETY",
  "PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "RECITATION",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

type GeminiConfig = NonNullable<StudioConfig["gemini"]>;

/** One client for interactive calls and batches: the same keys, endpoint and time limit. */
export function createGeminiClient(config: GeminiConfig): GoogleGenAI {
  const httpOptions = { ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), timeout: TIMEOUT_MS };
  return config.vertex
    ? new GoogleGenAI({ vertexai: true, project: config.vertex.project, location: config.vertex.location, httpOptions })
    : new GoogleGenAI({ apiKey: config.apiKey, httpOptions });
}

/** The configured model as the registry knows it, and how a "not found" answer names the setting. */
export function geminiModel(config: GeminiConfig): ResolvedModel & { setting: ModelSetting } {
  const resolved = resolveModel(config.model);
  return {
    ...resolved,
    setting: { id: config.model, setting: MODEL_SETTING.gemini, replacement: resolved.spec.lifecycle.replacement ?? DEFAULT_IMAGE_MODEL },
  };
}

/** The generateContent request for one image, as interactive calls and batch lines both send it. */
export async function buildImageRequest(model: ResolvedModel, modelId: string, request: Omit<ImageRequest, "signal">) {
  const parts = await Promise.all(
    request.photos.map(async (photo) => ({
      inlineData: {
        mimeType: `image/${(await sharp(photo).metadata()).format === "png" ? "png" : "jpeg"}`,
        data: photo.toString("base64"),
      },
    })),
  );
  const imageSize = model.spec.takesImageSize ? nativeSizeFor(model.spec, request.size) : undefined;
  const params = {
    model: modelId,
    contents: [{ role: "user", parts: [...parts, { text: request.prompt }] }],
    config: { responseModalities: ["IMAGE"], imageConfig: { aspectRatio: request.ratio, ...(imageSize ? { imageSize } : {}) } },
  } satisfies GenerateContentParameters;
  const notes = [
    `${modelId} asked for ${imageSize ?? "its fixed size (about 1K)"} to deliver ${request.size} px`,
    ...(model.note ? [model.note] : []),
  ];
  return { params, notes };
}

export function createGeminiProvider(
  config: GeminiConfig,
  retry: RetryPolicy = DEFAULT_RETRY,
  gate: ProviderGate = OPEN_GATE,
): ImageProvider {
  const ai = createGeminiClient(config);
  const model = geminiModel(config);
  // Vertex AI's quotas are the Google Cloud project's, apart from the Gemini API key's.
  const limited = config.vertex ? "vertex" : "gemini";

  async function callOnce(request: ImageRequest): Promise<ImageAnswer> {
    const { params, notes } = await buildImageRequest(model, config.model, request);
    // The SDK's ApiError keeps the body, not the headers: a Retry-After header is read on the way past.
    let retryAfter: number | undefined;
    const fetchKeepingRetryAfter: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      if (answer.status === 429) retryAfter = retryAfterMs(answer.headers);
      return answer;
    };
    // Classified inside the gate, which waits out a rate-limit answer for every worker and asks again.
    const response: GenerateContentResponse = await gate.run(limited, request.signal, async () => {
      retryAfter = undefined;
      try {
        return await ai.models.generateContent({
          ...params,
          config: { ...params.config, abortSignal: request.signal, httpOptions: { fetch: fetchKeepingRetryAfter } },
        });
      } catch (error) {
        if (error instanceof ApiError) throw classifyStatus(GEMINI_NAME, error.status, error.message, error, model.setting, retryAfter);
        throw classifyNetworkError(GEMINI_NAME, error, request.signal);
      }
    });
    const answer = readAnswer(response);
    return { ...answer, notes: [...notes, ...answer.notes] };
  }

  return {
    createImage: (request) => {
      // A model Google has shut down is refused here, before a request is spent on it.
      if (model.spec.lifecycle.stage === "retired") {
        return Promise.reject(
          modelNotFound(GEMINI_NAME, model.setting, { detail: `${config.model} shut down ${model.spec.lifecycle.shutdown}` }),
        );
      }
      return withRetry(retry, request.signal, () => callOnce(request));
    },
  };
}

/** Safety blocks and refusals arrive as successful answers without an image: turn them into clear errors. */
export function readAnswer(response: GenerateContentResponse): ImageAnswer {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    throw new StudioError(
      "SAFETY_BLOCKED",
      "Gemini's safety filters blocked this request. Try another photo or a different style description. Nothing was charged.",
      { detail: `blockReason ${blockReason}` },
    );
  }
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const image = parts.find((p) => p.inlineData?.data);
  const finishReason = candidate?.finishReason ? String(candidate.finishReason) : undefined;
  if (!image) {
    if (finishReason && SAFETY_REASONS.has(finishReason)) {
      throw new StudioError(
        "SAFETY_BLOCKED",
        "Gemini's safety filters stopped this image. Try another photo or a different style description. Nothing was charged.",
        { detail: `finishReason ${finishReason}` },
      );
    }
    const text = parts
      .map((p) => p.text ?? "")
      .join(" ")
      .trim();
    if (text) {
      throw new StudioError("TEXT_ONLY", "Gemini answered with text instead of an image. Try again, or simplify the style description.", {
        detail: text.slice(0, 300),
      });
    }
    throw new StudioError("NO_IMAGE", "Gemini returned no image this time. Try again.", {
      detail: `finishReason ${finishReason ?? "none"}`,
    });
  }
  const usage = response.usageMetadata;
  const notes = usage
    ? [`gemini usage: ${usage.promptTokenCount ?? 0} prompt tokens, ${usage.candidatesTokenCount ?? 0} output tokens`]
    : [];
  return { image: Buffer.from(image.inlineData!.data!, "base64"), notes };
}

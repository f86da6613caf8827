import { ApiError, GoogleGenAI, type GenerateContentResponse } from "@google/genai";
import sharp from "sharp";
import type { StudioConfig } from "../config";
import { StudioError } from "../errors";
import { classifyNetworkError, classifyStatus } from "./http-errors";
import { withRetry } from "./retry";
import { DEFAULT_RETRY, type ImageAnswer, type ImageProvider, type ImageRequest, type RetryPolicy } from "./types";

const NAME = "Gemini";
const TIMEOUT_MS = 120_000;
const SAFETY_REASONS = new Set(["SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]);

export function createGeminiProvider(config: NonNullable<StudioConfig["gemini"]>, retry: RetryPolicy = DEFAULT_RETRY): ImageProvider {
  const httpOptions = { ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), timeout: TIMEOUT_MS };
  const ai = config.vertex
    ? new GoogleGenAI({ vertexai: true, project: config.vertex.project, location: config.vertex.location, httpOptions })
    : new GoogleGenAI({ apiKey: config.apiKey, httpOptions });

  async function callOnce(request: ImageRequest): Promise<ImageAnswer> {
    const parts = await Promise.all(
      request.photos.map(async (photo) => ({
        inlineData: { mimeType: `image/${(await sharp(photo).metadata()).format === "png" ? "png" : "jpeg"}`, data: photo.toString("base64") },
      })),
    );
    let response: GenerateContentResponse;
    try {
      response = await ai.models.generateContent({
        model: config.model,
        contents: [{ role: "user", parts: [...parts, { text: request.prompt }] }],
        config: { responseModalities: ["IMAGE"], imageConfig: { aspectRatio: request.ratio }, abortSignal: request.signal },
      });
    } catch (error) {
      if (error instanceof ApiError) throw classifyStatus(NAME, error.status, error.message, error);
      throw classifyNetworkError(NAME, error, request.signal);
    }
    return readAnswer(response);
  }

  return { createImage: (request) => withRetry(retry, request.signal, () => callOnce(request)) };
}

/** Safety blocks and refusals arrive as successful answers without an image: turn them into clear errors. */
function readAnswer(response: GenerateContentResponse): ImageAnswer {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    throw new StudioError("SAFETY_BLOCKED", "Gemini's safety filters blocked this request. Try another photo or a different style description. Nothing was charged.", { detail: `blockReason ${blockReason}` });
  }
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const image = parts.find((p) => p.inlineData?.data);
  const finishReason = candidate?.finishReason ? String(candidate.finishReason) : undefined;
  if (!image) {
    if (finishReason && SAFETY_REASONS.has(finishReason)) {
      throw new StudioError("SAFETY_BLOCKED", "Gemini's safety filters stopped this image. Try another photo or a different style description. Nothing was charged.", { detail: `finishReason ${finishReason}` });
    }
    const text = parts.map((p) => p.text ?? "").join(" ").trim();
    if (text) {
      throw new StudioError("TEXT_ONLY", "Gemini answered with text instead of an image. Try again, or simplify the style description.", { detail: text.slice(0, 300) });
    }
    throw new StudioError("NO_IMAGE", "Gemini returned no image this time. Try again.", { detail: `finishReason ${finishReason ?? "none"}` });
  }
  const usage = response.usageMetadata;
  const notes = usage ? [`gemini usage: ${usage.promptTokenCount ?? 0} prompt tokens, ${usage.candidatesTokenCount ?? 0} output tokens`] : [];
  return { image: Buffer.from(image.inlineData!.data!, "base64"), notes };
}

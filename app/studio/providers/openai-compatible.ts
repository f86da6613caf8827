import OpenAI, { toFile } from "openai";
import sharp from "sharp";
import type { StudioConfig } from "../config";
import { StudioError } from "../errors";
import { DEFAULT_IMAGE_MODEL, MODEL_SETTING } from "../models";
import { classifyNetworkError, classifyStatus, retryAfterMs } from "./http-errors";
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

const NAME = "The image service";

// The OpenAI images API knows sizes, not ratios; gateways for nano-banana map them to the nearest ratio.
function sizeFor(ratio: string): "1024x1024" | "1536x1024" | "1024x1536" {
  const [w, h] = ratio.split(":").map(Number) as [number, number];
  return w === h ? "1024x1024" : w > h ? "1536x1024" : "1024x1536";
}

export function createOpenAiCompatibleProvider(
  config: NonNullable<StudioConfig["openaiCompatible"]>,
  retry: RetryPolicy = DEFAULT_RETRY,
  gate: ProviderGate = OPEN_GATE,
): ImageProvider {
  // The SDK's own retries are off: retries happen once, in withRetry, with the studio's classification.
  const client = new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey, maxRetries: 0, timeout: 120_000 });
  const model = { id: config.model, setting: MODEL_SETTING["openai-compatible"], replacement: DEFAULT_IMAGE_MODEL };

  async function callOnce(request: ImageRequest): Promise<ImageAnswer> {
    const files = await Promise.all(
      request.photos.map(async (photo, i) => {
        const type = (await sharp(photo).metadata()).format === "png" ? "png" : "jpeg";
        return toFile(photo, `photo-${i + 1}.${type === "png" ? "png" : "jpg"}`, { type: `image/${type}` });
      }),
    );
    // Classified inside the gate, which waits out a rate-limit answer for every worker and asks again.
    const answer: OpenAI.ImagesResponse = await gate.run("openai-compatible", request.signal, async () => {
      try {
        return await client.images.edit(
          {
            model: config.model,
            image: files.length === 1 ? files[0] : files,
            prompt: request.prompt,
            n: 1,
            size: sizeFor(request.ratio),
          },
          { signal: request.signal },
        );
      } catch (error) {
        if (error instanceof OpenAI.APIError && typeof error.status === "number") {
          const detail = `${error.code ?? ""} ${error.message}`.trim();
          throw classifyStatus(NAME, error.status, detail, error, model, retryAfterMs(error.headers));
        }
        throw classifyNetworkError(NAME, error, request.signal);
      }
    });
    const b64 = answer.data?.[0]?.b64_json;
    if (!b64) throw new StudioError("NO_IMAGE", "The image service returned no image this time. Try again.");
    const usage = answer.usage;
    return {
      image: Buffer.from(b64, "base64"),
      notes: usage ? [`openai-compatible usage: ${usage.input_tokens} input tokens, ${usage.output_tokens} output tokens`] : [],
    };
  }

  return { createImage: (request) => withRetry(retry, request.signal, () => callOnce(request)) };
}

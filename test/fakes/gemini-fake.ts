import { startFakeServer, type FakeAnswer } from "./http-fake";

/**
 * A Gemini API stand-in on the wire format @google/genai 3 speaks: POST /v1beta/models/{model}:generateContent
 * (or /v1/...), camelCase JSON. Point the real SDK at it with `httpOptions.baseUrl`.
 */
export const geminiAnswers = {
  image: (png: Buffer): FakeAnswer => ({
    status: 200,
    body: {
      candidates: [{ content: { role: "model", parts: [{ inlineData: { mimeType: "image/png", data: png.toString("base64") } }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 1290, candidatesTokenCount: 1290, totalTokenCount: 2580 },
      modelVersion: "gemini-2.5-flash-image",
    },
  }),
  rateLimited: (): FakeAnswer => ({ status: 429, body: { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } } }),
  unavailable: (): FakeAnswer => ({ status: 503, body: { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } } }),
  badRequest: (): FakeAnswer => ({ status: 400, body: { error: { code: 400, message: "Request contains an invalid argument.", status: "INVALID_ARGUMENT" } } }),
  /** What the Gemini API answers for a model id it does not serve (retired, or never existed). */
  modelNotFound: (model: string): FakeAnswer => ({
    status: 404,
    body: {
      error: {
        code: 404,
        message: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
        status: "NOT_FOUND",
      },
    },
  }),
  promptBlocked: (): FakeAnswer => ({ status: 200, body: { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 1290, totalTokenCount: 1290 } } }),
  imageSafety: (): FakeAnswer => ({ status: 200, body: { candidates: [{ content: { role: "model", parts: [] }, finishReason: "IMAGE_SAFETY", index: 0 }] } }),
  textOnly: (): FakeAnswer => ({
    status: 200,
    body: { candidates: [{ content: { role: "model", parts: [{ text: "I can't edit this image, but here is a description of it." }] }, finishReason: "STOP", index: 0 }] },
  }),
};

export function startGeminiFake(answers: FakeAnswer[]) {
  return startFakeServer(answers);
}

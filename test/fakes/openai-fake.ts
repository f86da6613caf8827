import { startFakeServer, type FakeAnswer } from "./http-fake";

/** An OpenAI-style images endpoint (POST /v1/images/edits, multipart in, `{data: [{b64_json}]}` out), as gateways serving nano-banana answer. */
export const openAiAnswers = {
  image: (png: Buffer): FakeAnswer => ({ status: 200, body: { created: 1764300000, data: [{ b64_json: png.toString("base64") }] } }),
  rateLimited: (): FakeAnswer => ({
    status: 429,
    body: { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } },
  }),
  badRequest: (): FakeAnswer => ({ status: 400, body: { error: { message: "Invalid image", type: "invalid_request_error", code: null } } }),
  /** OpenAI's own answer for an unknown model; gateways serving nano-banana answer the same way. */
  modelNotFound: (model: string): FakeAnswer => ({
    status: 404,
    body: {
      error: {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      },
    },
  }),
};

export function startOpenAiFake(answers: FakeAnswer[]) {
  return startFakeServer(answers);
}

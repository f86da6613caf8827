import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiError, type BatchJob, type GenerateContentResponse, type InlinedRequest } from "@google/genai";
import type { StudioConfig } from "../config";
import { StudioError } from "../errors";
import { buildImageRequest, createGeminiClient, GEMINI_NAME, geminiModel, readAnswer } from "./gemini";
import { classifyNetworkError, classifyStatus, modelNotFound } from "./http-errors";
import type { ImageAnswer, ImageRequest } from "./types";

/**
 * Google's Batch API for image generation ("economy bulk"): the same requests at half the price, answered
 * within 24 hours. One batch carries many generation requests, each with the caller's key; the answers are
 * matched back by that key and classified exactly as interactive answers are (safety block, no image,
 * text only, provider errors). Gemini API only: Vertex AI batches read their input from Cloud Storage.
 *
 * The worker's loop: `submit` once (keep the returned name with the app's batch), `get` with `pollDelayMs`
 * between calls until `done`, then `results`, and retry the failed keys one by one interactively or in a
 * later batch. Cancelling the app's batch calls `cancel`.
 */

/** Google accepts inline batch requests up to 20 MB in all; larger batches go up as a JSONL file. */
const INLINE_LIMIT_BYTES = 20 * 1024 * 1024;

export interface BatchRequest {
  /** The caller's id for this request (the app's job id), unique in the batch. */
  key: string;
  request: Omit<ImageRequest, "signal">;
}

export type BatchState = "pending" | "running" | "succeeded" | "failed" | "cancelled" | "expired";

export interface BatchStatus {
  /** Google's name for the batch, `batches/…`: keep it to poll, fetch and cancel. */
  name: string;
  /** The caller's name for the batch: a stable one lets a caller that crashed after submit find it again. */
  displayName?: string;
  state: BatchState;
  /** True once Google will not change the batch any more (succeeded, failed, cancelled, expired). */
  done: boolean;
  createdAt?: string;
  updatedAt?: string;
}

export type BatchResult = { key: string; answer: ImageAnswer } | { key: string; error: StudioError };

export interface GeminiBatchClient {
  submit(requests: BatchRequest[], options: { displayName: string; signal?: AbortSignal }): Promise<BatchStatus>;
  get(name: string): Promise<BatchStatus>;
  list(): Promise<BatchStatus[]>;
  /** The answers of a finished batch, one per key Google answered; a key without an answer was not done. */
  results(name: string): Promise<BatchResult[]>;
  cancel(name: string): Promise<void>;
}

const STATES: Record<string, BatchState> = {
  JOB_STATE_PENDING: "pending",
  JOB_STATE_QUEUED: "pending",
  JOB_STATE_RUNNING: "running",
  JOB_STATE_SUCCEEDED: "succeeded",
  JOB_STATE_FAILED: "failed",
  JOB_STATE_CANCELLED: "cancelled",
  JOB_STATE_EXPIRED: "expired",
};

/**
 * How long to wait before the next `get`, after `attempt` polls that found the batch unfinished: one minute,
 * doubling to at most fifteen (`firstMs` scales both), with ±25 % jitter so many workers do not poll together. A batch takes hours.
 */
export function pollDelayMs(attempt: number, random: () => number = Math.random, firstMs = 60_000): number {
  const base = Math.min(firstMs * 2 ** attempt, 15 * firstMs);
  return Math.round(base * (0.75 + random() * 0.5));
}

export function createGeminiBatchClient(
  config: NonNullable<StudioConfig["gemini"]>,
  options: { inlineLimitBytes?: number } = {},
): GeminiBatchClient {
  const ai = createGeminiClient(config);
  const model = geminiModel(config);
  const inlineLimit = options.inlineLimitBytes ?? INLINE_LIMIT_BYTES;

  async function call<T>(run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ApiError) throw classifyStatus(GEMINI_NAME, error.status, error.message, error, model.setting);
      throw classifyNetworkError(GEMINI_NAME, error, signal);
    }
  }

  return {
    async submit(requests, { displayName, signal }) {
      if (config.vertex) {
        throw new StudioError(
          "PROVIDER_NOT_CONFIGURED",
          "Economy bulk needs a Gemini API key: Vertex AI batches read their requests from Cloud Storage, which this app does not use.",
        );
      }
      if (model.spec.lifecycle.stage === "retired")
        throw modelNotFound(GEMINI_NAME, model.setting, { detail: `${config.model} shut down ${model.spec.lifecycle.shutdown}` });
      if (new Set(requests.map((r) => r.key)).size !== requests.length) throw new Error("batch request keys must be unique");
      const built = await Promise.all(
        requests.map(async ({ key, request }) => ({ key, params: (await buildImageRequest(model, config.model, request)).params })),
      );
      const inlined: InlinedRequest[] = built.map(({ key, params }) => ({
        contents: params.contents,
        config: params.config,
        metadata: { key },
      }));
      const size = inlined.reduce((sum, request) => sum + JSON.stringify(request).length, 0);
      const job = await call(async () => {
        if (size <= inlineLimit)
          return ai.batches.create({ model: config.model, src: inlined, config: { displayName, abortSignal: signal } });
        // The file holds the REST shape of each request (generationConfig, not the SDK's config).
        const lines = built.map(({ key, params }) =>
          JSON.stringify({ key, request: { contents: params.contents, generationConfig: params.config } }),
        );
        const file = await ai.files.upload({
          file: new Blob([lines.join("\n")], { type: "application/jsonl" }),
          config: { mimeType: "jsonl", displayName, abortSignal: signal },
        });
        return ai.batches.create({ model: config.model, src: file.name!, config: { displayName, abortSignal: signal } });
      }, signal);
      return statusOf(job);
    },

    async get(name) {
      return statusOf(await call(() => ai.batches.get({ name })));
    },

    async list() {
      const statuses: BatchStatus[] = [];
      const pager = await call(() => ai.batches.list({ config: { pageSize: 100 } }));
      for await (const job of pager) statuses.push(statusOf(job));
      return statuses;
    },

    async results(name) {
      const job = await call(() => ai.batches.get({ name }));
      if (job.dest?.inlinedResponses) {
        return job.dest.inlinedResponses.map((answer, index) =>
          classify(String(answer.metadata?.key ?? `#${index}`), answer.response, answer.error),
        );
      }
      if (!job.dest?.fileName) return [];
      const dir = await mkdtemp(path.join(tmpdir(), "gemini-batch-"));
      try {
        const downloadPath = path.join(dir, "responses.jsonl");
        await call(() => ai.files.download({ file: job.dest!.fileName!, downloadPath }));
        const lines = (await readFile(downloadPath, "utf8")).split("\n").filter((line) => line.trim());
        return lines.map((line) => {
          const { key, response, error } = JSON.parse(line) as { key: string; response?: GenerateContentResponse; error?: BatchError };
          return classify(key, response, error);
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    async cancel(name) {
      await call(() => ai.batches.cancel({ name }));
    },
  };

  /** One answer, classified the way an interactive call's is. */
  function classify(key: string, response: GenerateContentResponse | undefined, error: BatchError | undefined): BatchResult {
    if (error || !response) {
      const status = typeof error?.code === "number" ? error.code : 500;
      return { key, error: classifyStatus(GEMINI_NAME, status, error?.message ?? "no response in the batch", error, model.setting) };
    }
    try {
      return { key, answer: readAnswer(response) };
    } catch (failure) {
      if (failure instanceof StudioError) return { key, error: failure };
      throw failure;
    }
  }
}

interface BatchError {
  code?: number;
  message?: string;
  status?: string;
}

function statusOf(job: BatchJob): BatchStatus {
  const state = STATES[String(job.state)] ?? "pending";
  return {
    name: job.name!,
    displayName: job.displayName,
    state,
    done: state !== "pending" && state !== "running",
    createdAt: job.createTime,
    updatedAt: job.updateTime,
  };
}

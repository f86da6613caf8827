import { env } from "~/infra/env.server";
import { BUSY_REVIEW_STATES } from "~/models/constants";
import { claimAttempt, getJob, holdReservation, saveOutputs, touchJob, updateJobProgress } from "~/models/jobs.server";
import { finishUploadingJob, requestPublish } from "~/models/publishing.server";
import { getSettings } from "~/models/settings.server";
import { afterOutputsSaved } from "~/models/billing.server";
import { plannedImages } from "~/models/usage.server";
import { deleteFile, fileKey, loadFile, saveFile } from "~/infra/storage.server";
import { fetchProductImage } from "~/shopify/fetch-image.server";
import { getProductForGeneration } from "~/models/products.server";
import {
  generate,
  holdReasons,
  lifestyleOptionsSchema,
  whiteOptionsSchema,
  type ProviderName,
  type ImageProvider,
  type QualityReport,
  type StudioRequest,
  type StudioResult,
} from "~/studio";
import { adminApiForShop } from "~/models/admin.server";
import { getStudioConfig } from "~/infra/studio-config.server";
import { PermanentJobError } from "./errors.server";
import { logger } from "~/infra/logger.server";
import { batchAnswerProvider, discardAnswerFiles } from "./google-batch.server";
import { readBatchRequests, waitsOnGoogleBatch } from "~/models/google-batches.server";

// One attempt of a generate job, safe to run again: a rerun of an attempt whose outputs are saved never
// makes them again, and its files are written under keys fixed by the attempt and position, so a run
// killed half-way leaves nothing the next run does not overwrite.

const STAGE_RANGES = { analysing: [5, 20], generating: [20, 80], checking: [80, 90] } as const;

type Job = NonNullable<Awaited<ReturnType<typeof getJob>>>;

/** Auto-publish trusts the quality gates: a result they flag waits for the merchant's review. */
export function passesQualityGates(mode: string, report: QualityReport): boolean {
  return holdReasons(report, mode === "lifestyle" ? "lifestyle" : "white").length === 0;
}

function outputKey(shop: string, jobId: string, attempt: number, position: number, format: string) {
  return fileKey(shop, jobId, `${attempt}-${position}.${format === "jpeg" ? "jpg" : format}`);
}

export async function processGenerate(shop: string, jobId: string, attempt: number, signal?: AbortSignal) {
  const job = await getJob(shop, jobId);
  if (!job) throw new PermanentJobError("JOB_NOT_FOUND", "This job no longer exists.");
  // An entry of an earlier attempt (cancelled, then retried): the newer attempt has its own entry.
  if (job.attempts !== attempt) return;
  // Economy bulk: until Google's answers are saved the batch's entry owns this attempt; running it here
  // would pay for the same image twice.
  if (waitsOnGoogleBatch(job)) return;
  if (job.status === "uploading") return resumeAutoPublish(shop, job);
  if (!(await claimAttempt(shop, jobId, attempt))) return;
  if (!(await holdReservation(shop, job))) {
    throw new PermanentJobError(
      "CAP_REACHED",
      "This month's image cap was reached before this job could run, so nothing was generated. Raise the cap in Settings, then retry.",
    );
  }

  // The heartbeat tells the reconciler this attempt is alive; when the row stops being this attempt's
  // (cancelled, or failed as stuck) the run stops instead of paying a provider for images nobody keeps.
  const lost = new AbortController();
  const heartbeat = setInterval(
    () => {
      touchJob(shop, jobId, attempt)
        .then((alive) => alive || lost.abort())
        .catch((error: Error) => logger.warn({ shop, jobId, error: error.message }, "[generate] heartbeat not written"));
    },
    (env.WORKER_LOCK_SECONDS * 1000) / 4,
  );
  const runSignal = signal ? AbortSignal.any([signal, lost.signal]) : lost.signal;
  const answers = job.batch?.economy ? readBatchRequests(job.batchRequests)?.answers : undefined;
  const fromBatch = answers ? batchAnswerProvider(answers) : undefined;
  let result: StudioResult;
  try {
    result = await makeImages(shop, job, runSignal, fromBatch);
  } catch (error) {
    if (lost.signal.aborted && !signal?.aborted) return;
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
  await saveImages(shop, job, result, fromBatch?.fromBatch ?? 0);
  if (fromBatch) await discardAnswerFiles(fromBatch.files);
}

/** What the studio is asked for a job: its product, photos and options, as the job row says. */
export async function loadStudioRequest(shop: string, job: Omit<Job, "outputs" | "batch">): Promise<StudioRequest> {
  const api = await adminApiForShop(shop);
  const product = await getProductForGeneration(api, job.productId);
  if (!product) {
    throw new PermanentJobError("PRODUCT_NOT_FOUND", "This product no longer exists in your store, so nothing was generated.");
  }
  const photos = await Promise.all(
    job.sources.map((source) => (source.storageKey ? loadFile(source.storageKey) : fetchProductImage(source.url ?? ""))),
  );
  const options =
    job.mode === "white" ? whiteOptionsSchema.parse(JSON.parse(job.options)) : lifestyleOptionsSchema.parse(JSON.parse(job.options));
  return { mode: job.mode as "white" | "lifestyle", options, photos, product, provider: job.provider as ProviderName };
}

async function makeImages(shop: string, job: Job, signal: AbortSignal, imageProvider?: ImageProvider): Promise<StudioResult> {
  const attempt = job.attempts;
  const request = await loadStudioRequest(shop, job);
  let lastProgress = 0;
  return generate(
    {
      ...request,
      signal,
      imageProvider,
      onProgress: (stage, percent) => {
        const [from, to] = STAGE_RANGES[stage];
        const progress = from + ((to - from) * percent) / 100;
        // Progress writes are throttled to whole steps so a chatty provider does not hammer the database.
        if (progress - lastProgress >= 2 || percent === 100) {
          lastProgress = progress;
          // Only progress: a failed write (a busy SQLite, a PostgreSQL blip) must not stop the job.
          updateJobProgress(shop, job.id, attempt, stage, progress).catch((error: Error) => {
            logger.warn({ shop, jobId: job.id, error: error.message }, "[generate] progress not written");
          });
        }
      },
    },
    getStudioConfig(),
  );
}

/** Files first, under keys fixed by attempt and position; then one transaction saves all the rest. */
async function saveImages(shop: string, job: Job, result: StudioResult, batchImages: number) {
  const attempt = job.attempts;
  const keys = result.outputs.map((output, index) => outputKey(shop, job.id, attempt, index, output.format));
  await Promise.all(result.outputs.map((output, index) => saveFile(keys[index], output.data)));

  const settings = await getSettings(shop);
  const autoPublish = settings.publishMode === "auto" && result.outputs.some((output) => passesQualityGates(job.mode, output.report));
  const saved = await saveOutputs(
    shop,
    job,
    result.outputs.map((output, index) => ({
      storageKey: keys[index],
      format: output.format,
      width: output.width,
      height: output.height,
      bytes: output.data.length,
      provider: output.provider,
      prompt: output.prompt,
      promptVersion: output.promptVersion,
      providerMs: Math.round(output.ms),
      report: JSON.stringify({
        ...output.report,
        ms: output.ms,
        composition: output.composition,
        notes: [...output.report.notes, ...result.notes],
      }),
    })),
    autoPublish ? "uploading" : "done",
    result.usedPhotos.map((i) => job.sources[i]?.position ?? -1),
    batchImages,
  );
  if (!saved) {
    // The row moved on while this run worked (cancelled, or failed as stuck): its files go with it,
    // unless another run of this attempt saved outputs under the same keys.
    const current = await getJob(shop, job.id);
    if (!current?.outputs.some((output) => output.attempt === attempt)) await Promise.all(keys.map((key) => deleteFile(key)));
    return;
  }
  await afterOutputsSaved(
    shop,
    saved.map((output) => ({ id: output.id, jobId: job.id, provider: output.provider })),
  );
  if (autoPublish) {
    const passed = saved.filter((output, index) => passesQualityGates(job.mode, result.outputs[index].report));
    await requestPublish(
      shop,
      job.id,
      passed.map((output) => output.id),
      { auto: true },
    );
  }
}

/**
 * Deletes the files a failed attempt may have written before it stopped (killed after writing them,
 * the database down when it came to save them). Their keys follow from the attempt and the plan.
 */
export async function discardAttemptFiles(shop: string, jobId: string, attempt: number) {
  const job = await getJob(shop, jobId);
  if (!job || job.outputs.some((output) => output.attempt === attempt)) return;
  const { format } = JSON.parse(job.options) as { format?: string };
  const keys = Array.from({ length: plannedImages(job.mode, JSON.parse(job.options)) }, (_, position) =>
    outputKey(shop, jobId, attempt, position, format ?? "jpeg"),
  );
  await Promise.all(keys.map((key) => deleteFile(key)));
}

/**
 * A rerun of an attempt whose outputs were saved for auto-publish: queue the publish if the earlier
 * run stopped before it could, or finish the job if the publish has already settled.
 */
async function resumeAutoPublish(shop: string, job: Job) {
  const outputs = job.outputs.filter((output) => output.attempt === job.attempts);
  const waiting = outputs.filter(
    (output) => output.reviewState === "pending" && passesQualityGates(job.mode, JSON.parse(output.report) as QualityReport),
  );
  if (waiting.length > 0) {
    await requestPublish(
      shop,
      job.id,
      waiting.map((output) => output.id),
      { auto: true },
    );
  } else if (!outputs.some((output) => BUSY_REVIEW_STATES.includes(output.reviewState))) {
    await finishUploadingJob(shop, job.id);
  }
}

import { DelayedError, type Job as QueueJob } from "bullmq";
import { env } from "~/infra/env.server";
import { enqueueMany, generateQueueId, type StudioJobData } from "~/infra/queue.server";
import { deleteFile, fileKey, loadFile, saveFile } from "~/infra/storage.server";
import { getStudioConfig } from "~/infra/studio-config.server";
import { claimAttempt, failJob, holdReservation } from "~/models/jobs.server";
import {
  answeredJobs,
  BATCH_ATTEMPT,
  economyUnavailable,
  getEconomyBatch,
  googleDisplayName,
  jobsToPrepare,
  readBatchRequests,
  requestHash,
  requestKey,
  saveAnswers,
  saveSubmitted,
  saveSubmitting,
  setGoogleState,
  waitingJobs,
  type PlannedRequest,
  type SavedAnswer,
} from "~/models/google-batches.server";
import {
  createGeminiBatchClient,
  createGeminiProvider,
  planImageRequests,
  pollDelayMs,
  type BatchRequest,
  type BatchStatus,
  type GeminiBatchClient,
  type ImageProvider,
} from "~/studio";
import { classifyJobError, PermanentJobError } from "./errors.server";
import { loadStudioRequest } from "./generate.server";
import { logger } from "~/infra/logger.server";

// Economy bulk's worker side, one queue entry per app batch (googleBatchQueueId): prepare every job locally
// (product, photos, analysis, prompts), submit their requests as one Google batch, then poll it with
// back-off (the entry moves itself to delayed between polls), save each answer for its job and queue the
// jobs to finish locally (quality gates, outputs, usage at the batch price). A request Google failed is
// retried once interactively when its job finishes, one by one, rather than in a later batch: the failures
// are few, a second batch would add up to another 24 hours for them, and the merchant gets a definite answer
// (a safety block stays a safety block) at once.

type BatchEntry = QueueJob<Extract<StudioJobData, { kind: "google-batch" }>>;

const TERMINAL_FAILURES: Record<string, { code: string; message: string }> = {
  failed: { code: "BATCH_FAILED", message: "Google's batch failed, so nothing was generated or charged. Retry to generate it now." },
  expired: {
    code: "BATCH_EXPIRED",
    message: "Google did not finish its batch in time, so nothing was generated or charged. Retry to generate it now.",
  },
  cancelled: { code: "BATCH_CANCELLED", message: "Google's batch was cancelled, so nothing was generated. Retry to generate it now." },
};

type ClientFactory = (config: NonNullable<ReturnType<typeof getStudioConfig>["gemini"]>) => GeminiBatchClient;
let clientFactory: ClientFactory = createGeminiBatchClient;

/** For tests: wrap the batch client (to fail between Google's answer and the save, say); none restores it. */
export function setBatchClientFactory(factory?: ClientFactory) {
  clientFactory = factory ?? createGeminiBatchClient;
}

function batchClient(): GeminiBatchClient {
  const config = getStudioConfig();
  const unavailable = economyUnavailable(config);
  if (unavailable || !config.gemini) throw new PermanentJobError("PROVIDER_NOT_CONFIGURED", unavailable ?? "Gemini is not configured.");
  return clientFactory(config.gemini);
}

export async function processGoogleBatch(entry: BatchEntry, token: string | undefined, signal?: AbortSignal) {
  const { shop, batchId } = entry.data;
  const batch = await getEconomyBatch(shop, batchId);
  if (!batch) return;
  const client = batchClient();
  try {
    if (!batch.googleBatchName) {
      const submitted = await submit(shop, batchId, client, batch.googleState === "submitting", signal);
      if (!submitted) return;
      return await pollLater(entry, token, 0);
    }
    if (batch.googleState === "answered") return await queueAnswered(shop, batchId);
    if (batch.googleState && TERMINAL_FAILURES[batch.googleState]) return await failWaiting(shop, batchId, batch.googleState);

    // Nobody waits for it any more (every job was cancelled): Google's batch is cancelled too.
    if ((await waitingJobs(shop, batchId)).length === 0) {
      await client.cancel(batch.googleBatchName);
      await setGoogleState(shop, batchId, "cancelled");
      return;
    }
    const status = await client.get(batch.googleBatchName);
    if (!status.done) {
      await setGoogleState(shop, batchId, status.state, batch.googlePolls + 1);
      return await pollLater(entry, token, batch.googlePolls + 1);
    }
    if (status.state !== "succeeded") {
      await setGoogleState(shop, batchId, status.state);
      return await failWaiting(shop, batchId, status.state);
    }
    await saveResults(shop, batchId, client, status);
    await queueAnswered(shop, batchId);
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    const failure = classifyJobError(error);
    const lastAttempt = entry.attemptsMade + 1 >= (entry.opts.attempts ?? 1);
    // A failure that retrying cannot fix fails the jobs still waiting on the batch, each with Retry.
    if (!failure.transient || lastAttempt) await failPrepared(shop, batchId, failure);
    throw error;
  }
}

/** The same entry runs again after the back-off, under its own id: one entry for the batch's whole life. */
async function pollLater(entry: BatchEntry, token: string | undefined, polls: number): Promise<never> {
  await entry.moveToDelayed(Date.now() + pollDelayMs(polls, Math.random, env.GEMINI_BATCH_POLL_SECONDS * 1000), token);
  throw new DelayedError();
}

/**
 * Prepares the batch's jobs and submits their requests. A rerun after a crash first looks for the batch
 * Google may already have under this display name, and adopts it instead of submitting again.
 */
async function submit(shop: string, batchId: string, client: GeminiBatchClient, resumed: boolean, signal?: AbortSignal) {
  const displayName = googleDisplayName(batchId);
  if (resumed) {
    const existing = (await client.list()).find((status) => status.displayName === displayName);
    if (existing) return adopt(shop, batchId, client, existing);
  }
  const requests: BatchRequest[] = [];
  const plans: { jobId: string; requests: PlannedRequest[] }[] = [];
  for (const job of await jobsToPrepare(shop, batchId)) {
    if (signal?.aborted) throw signal.reason;
    if (!(await claimAttempt(shop, job.id, BATCH_ATTEMPT))) continue;
    try {
      if (!(await holdReservation(shop, job))) {
        throw new PermanentJobError(
          "CAP_REACHED",
          "This month's image cap was reached before this job could run, so nothing was generated. Raise the cap in Settings, then retry.",
        );
      }
      const planned = await planImageRequests(await loadStudioRequest(shop, job), getStudioConfig());
      const entries = planned.map((request, n) => ({ n, key: requestKey(job.id, BATCH_ATTEMPT, n), hash: requestHash(request) }));
      requests.push(...planned.map((request, n) => ({ key: entries[n].key, request })));
      plans.push({ jobId: job.id, requests: entries });
    } catch (error) {
      const failure = classifyJobError(error);
      if (failure.transient) throw error;
      await failJob(shop, job.id, BATCH_ATTEMPT, failure.code, failure.message);
    }
  }
  if (plans.length === 0) {
    await setGoogleState(shop, batchId, "empty");
    return null;
  }
  const kept = await saveSubmitting(shop, batchId, plans);
  const sent = requests.filter((request) => kept.has(request.key.split(".")[0]));
  if (sent.length === 0) {
    await setGoogleState(shop, batchId, "cancelled");
    return null;
  }
  const status = await client.submit(sent, { displayName, signal });
  return adopt(shop, batchId, client, status);
}

async function adopt(shop: string, batchId: string, client: GeminiBatchClient, status: BatchStatus) {
  const waiting = await saveSubmitted(shop, batchId, status);
  if (waiting > 0) return status;
  // Every job was cancelled while the batch was being made: nothing would use its answers.
  await client.cancel(status.name);
  await setGoogleState(shop, batchId, "cancelled");
  return null;
}

/** Each waiting job's answers: images stored under keys fixed by job, attempt and request, then one transaction. */
async function saveResults(shop: string, batchId: string, client: GeminiBatchClient, status: BatchStatus) {
  const results = new Map((await client.results(status.name)).map((result) => [result.key, result]));
  const answers = new Map<string, SavedAnswer[]>();
  for (const job of await waitingJobs(shop, batchId)) {
    const planned = readBatchRequests(job.batchRequests)?.requests ?? [];
    const saved: SavedAnswer[] = [];
    for (const request of planned) {
      const result = results.get(request.key);
      if (result && "answer" in result) {
        const file = fileKey(shop, job.id, `answer-${job.attempts}-${request.n}`);
        await saveFile(file, result.answer.image);
        saved.push({ ...request, file });
      } else {
        const error = result
          ? { code: result.error.code, message: result.error.merchantMessage }
          : { code: "NO_ANSWER", message: "Google's batch has no answer for this request." };
        saved.push({ ...request, error });
      }
    }
    answers.set(job.id, saved);
  }
  const queued = await saveAnswers(shop, batchId, answers);
  logger.info({ shop, batchId, jobs: queued.length, requests: results.size }, "[google-batch] answered");
}

/** Queues the answered jobs to finish (again, after a crash: the ids are deterministic). */
async function queueAnswered(shop: string, batchId: string) {
  const jobs = await answeredJobs(shop, batchId);
  await enqueueMany(
    jobs.map((job) => ({
      data: { kind: "generate", shop, jobId: job.id, attempt: BATCH_ATTEMPT },
      id: generateQueueId(job.id, BATCH_ATTEMPT),
      priority: job.priority,
    })),
  );
}

async function failWaiting(shop: string, batchId: string, state: string) {
  const failure = TERMINAL_FAILURES[state] ?? TERMINAL_FAILURES.failed;
  for (const job of await waitingJobs(shop, batchId)) await failJob(shop, job.id, BATCH_ATTEMPT, failure.code, failure.message);
}

/** The batch's jobs being prepared or waiting, failed with the batch's error (each keeps its Retry). */
async function failPrepared(shop: string, batchId: string, failure: { code: string; message: string }) {
  const jobs = [...(await jobsToPrepare(shop, batchId)), ...(await waitingJobs(shop, batchId))];
  for (const job of jobs) await failJob(shop, job.id, BATCH_ATTEMPT, failure.code, failure.message);
}

/**
 * The provider a finishing job uses: Google's saved answer for each request it asked for in the batch, and
 * an interactive call (at the interactive price) for a request the batch failed, or one it did not ask
 * (a lifestyle scene regenerated because the product looked changed).
 */
export function batchAnswerProvider(saved: SavedAnswer[]): ImageProvider & { readonly fromBatch: number; readonly files: string[] } {
  const unused = [...saved];
  let fromBatch = 0;
  let interactive: ImageProvider | undefined;
  return {
    get fromBatch() {
      return fromBatch;
    },
    files: saved.flatMap((answer) => ("file" in answer ? [answer.file] : [])),
    async createImage(request) {
      const hash = requestHash(request);
      const index = unused.findIndex((answer) => answer.hash === hash);
      const answer = index >= 0 ? unused.splice(index, 1)[0] : undefined;
      if (answer && "file" in answer) {
        const image = await loadFile(answer.file).catch(() => null);
        if (image) {
          fromBatch++;
          return { image, notes: ["made by Google's Batch API (economy price)"] };
        }
      }
      const why = !answer
        ? "not part of Google's batch"
        : "error" in answer
          ? `Google's batch answered ${answer.error.code}`
          : "the batch's answer is no longer stored";
      const config = getStudioConfig();
      if (!config.gemini) throw new PermanentJobError("PROVIDER_NOT_CONFIGURED", "Gemini is not configured.");
      interactive ??= createGeminiProvider(config.gemini, config.retry);
      const result = await interactive.createImage(request);
      return { ...result, notes: [`generated interactively (${why})`, ...result.notes] };
    },
  };
}

/** The answers' files once the outputs made from them are saved. */
export async function discardAnswerFiles(files: string[]) {
  await Promise.all(files.map((file) => deleteFile(file)));
}

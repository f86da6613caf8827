import { createHash } from "node:crypto";
import { prisma } from "~/infra/db.server";
import { TRANSACTION } from "~/models/usage.server";
import { AWAITING_BATCH, RUNNING_STATES } from "~/models/constants";
import { getStudioConfig } from "~/infra/studio-config.server";
import { createGeminiBatchClient, resolveModel, type BatchStatus, type ImageRequest, type StudioConfig } from "~/studio";
import { logger } from "~/infra/logger.server";

// Economy bulk: a bulk batch whose jobs' first attempts go through Google's Batch API as one Google batch,
// at the batch price. The rows here are the source of truth for where that batch is:
//
//   Batch.googleState  null → submitting → pending | running → answered, or failed | cancelled | expired | empty
//   Job.status         queued → analysing (prepared locally) → awaiting_batch → queued (answers saved) → … → done
//
// The Google batch gets a display name fixed by the app's batch id before it is created, so a worker killed
// after Google created it and before its name was saved finds it again by that name instead of paying twice.
// Answers come back keyed by `jobId.attempt.n`; each job's entry records its requests (by a hash of what was
// asked) and, once answered, where each answer's image is stored or why it failed.

/** The attempt that goes through Google's batch; retries run interactively. */
export const BATCH_ATTEMPT = 0;

/** Google's target turnaround for a batch (most finish much sooner). */
export const BATCH_TURNAROUND_MS = 24 * 3600 * 1000;

export interface PlannedRequest {
  n: number;
  key: string;
  /** What was asked (prompt, ratio, size): the answer is used only for the same request. */
  hash: string;
}

export type SavedAnswer = PlannedRequest & ({ file: string } | { error: { code: string; message: string } });

export interface BatchRequests {
  requests: PlannedRequest[];
  /** Set once Google answered: one entry per request. */
  answers?: SavedAnswer[];
}

/** Why economy bulk cannot be used with this configuration, or null when it can. */
export function economyUnavailable(config: StudioConfig): string | null {
  if (!config.gemini) return "Economy bulk needs the Gemini provider.";
  if (config.gemini.vertex || !config.gemini.apiKey) {
    return "Economy bulk needs a Gemini API key: Vertex AI batches read their requests from Cloud Storage, which this app does not use.";
  }
  if (resolveModel(config.gemini.model).spec.lifecycle.stage === "retired") return `${config.gemini.model} has been shut down by Google.`;
  return null;
}

export function googleDisplayName(batchId: string) {
  return `studio-${batchId}`;
}

export function requestKey(jobId: string, attempt: number, n: number) {
  return `${jobId}.${attempt}.${n}`;
}

export function requestHash(request: Pick<ImageRequest, "prompt" | "ratio" | "size">) {
  return createHash("sha256")
    .update(JSON.stringify([request.prompt, request.ratio, request.size]))
    .digest("hex")
    .slice(0, 16);
}

export function readBatchRequests(value: string | null | undefined): BatchRequests | null {
  if (!value) return null;
  try {
    return JSON.parse(value) as BatchRequests;
  } catch {
    return null;
  }
}

/** True while a job's attempt belongs to Google's batch: its queue entry is the batch's, not its own. */
export function waitsOnGoogleBatch(job: { attempts: number; batchRequests: string | null; batch?: { economy: boolean } | null }) {
  return Boolean(job.batch?.economy) && job.attempts === BATCH_ATTEMPT && !readBatchRequests(job.batchRequests)?.answers;
}

export async function getEconomyBatch(shop: string, batchId: string) {
  return prisma.batch.findFirst({ where: { id: batchId, shop, economy: true } });
}

/** The batch's jobs whose first attempt is still to be prepared or is being prepared. */
export async function jobsToPrepare(shop: string, batchId: string) {
  return prisma.job.findMany({
    where: { shop, batchId, attempts: BATCH_ATTEMPT, status: { in: ["queued", ...RUNNING_STATES] } },
    orderBy: { priority: "asc" },
    include: { sources: { orderBy: { position: "asc" } } },
  });
}

/**
 * Before anything is sent: the batch is being submitted under its display name, and each job's plan. Returns
 * the jobs still this attempt's (one cancelled while the batch was prepared is left out of it).
 */
export async function saveSubmitting(shop: string, batchId: string, plans: { jobId: string; requests: PlannedRequest[] }[]) {
  return prisma.$transaction(async (tx) => {
    await tx.batch.updateMany({ where: { id: batchId, shop, googleBatchName: null }, data: { googleState: "submitting" } });
    const kept = new Set<string>();
    for (const plan of plans) {
      const { count } = await tx.job.updateMany({
        where: { id: plan.jobId, shop, attempts: BATCH_ATTEMPT, status: { in: [...RUNNING_STATES] } },
        data: { batchRequests: JSON.stringify({ requests: plan.requests } satisfies BatchRequests), heartbeatAt: new Date() },
      });
      if (count === 1) kept.add(plan.jobId);
    }
    return kept;
  }, TRANSACTION);
}

/**
 * Google has the batch: its name is saved, and every prepared job of the batch now waits for it. Returns how
 * many jobs wait (0 when all were cancelled meanwhile: the caller then cancels Google's batch).
 */
export async function saveSubmitted(shop: string, batchId: string, status: BatchStatus): Promise<number> {
  return prisma.$transaction(async (tx) => {
    await tx.batch.updateMany({
      where: { id: batchId, shop },
      data: { googleBatchName: status.name, googleState: status.state, googleSubmittedAt: new Date() },
    });
    const { count } = await tx.job.updateMany({
      where: { shop, batchId, attempts: BATCH_ATTEMPT, status: { in: [...RUNNING_STATES] }, batchRequests: { not: null } },
      data: { status: AWAITING_BATCH, progress: 20, heartbeatAt: new Date() },
    });
    return count;
  }, TRANSACTION);
}

export async function setGoogleState(shop: string, batchId: string, googleState: string, polls?: number) {
  await prisma.batch.updateMany({
    where: { id: batchId, shop },
    data: { googleState, ...(polls === undefined ? {} : { googlePolls: polls }) },
  });
}

export async function waitingJobs(shop: string, batchId: string) {
  return prisma.job.findMany({
    where: { shop, batchId, attempts: BATCH_ATTEMPT, status: AWAITING_BATCH },
    select: { id: true, attempts: true, priority: true, batchRequests: true },
  });
}

/**
 * Google's answers are saved (their images already stored): each waiting job gets its answers and is queued
 * to finish locally, and the batch is answered, in one transaction. Returns the jobs to queue.
 */
export async function saveAnswers(shop: string, batchId: string, answers: Map<string, SavedAnswer[]>) {
  return prisma.$transaction(async (tx) => {
    const queued: string[] = [];
    for (const [jobId, saved] of answers) {
      const requests = saved.map(({ n, key, hash }) => ({ n, key, hash }));
      const { count } = await tx.job.updateMany({
        where: { id: jobId, shop, batchId, attempts: BATCH_ATTEMPT, status: AWAITING_BATCH },
        data: { status: "queued", batchRequests: JSON.stringify({ requests, answers: saved } satisfies BatchRequests) },
      });
      if (count === 1) queued.push(jobId);
    }
    await tx.batch.updateMany({ where: { id: batchId, shop }, data: { googleState: "answered" } });
    return queued;
  }, TRANSACTION);
}

/** The batch's jobs whose answers are saved and that are queued to finish. */
export async function answeredJobs(shop: string, batchId: string) {
  const rows = await prisma.job.findMany({
    where: { shop, batchId, attempts: BATCH_ATTEMPT, status: "queued", batchRequests: { not: null } },
    select: { id: true, priority: true, batchRequests: true },
  });
  return rows.filter((row) => readBatchRequests(row.batchRequests)?.answers);
}

const OPEN_GOOGLE_STATES = ["submitting", "pending", "running"];

/**
 * Cancelling the app's batch cancels Google's while it is still working. Best effort: if Google cannot be
 * reached now, the batch's entry cancels it at its next poll, when it finds no job waiting.
 */
export async function cancelGoogleBatch(shop: string, batchId: string): Promise<boolean> {
  const batch = await getEconomyBatch(shop, batchId);
  const gemini = getStudioConfig().gemini;
  if (!batch?.googleBatchName || !OPEN_GOOGLE_STATES.includes(batch.googleState ?? "") || !gemini) return false;
  try {
    await createGeminiBatchClient(gemini).cancel(batch.googleBatchName);
  } catch (error) {
    logger.warn({ shop, batchId, error: (error as Error).message }, "[google-batch] cancel left to the next poll");
    return false;
  }
  await setGoogleState(shop, batchId, "cancelled");
  return true;
}

/** What a job page says while its job waits for Google's batch: since when, and by when Google aims to answer. */
export function googleBatchWait(job: { status: string; batch?: { googleSubmittedAt: Date | null } | null }) {
  const submittedAt = job.batch?.googleSubmittedAt;
  if (job.status !== AWAITING_BATCH || !submittedAt) return null;
  return { submittedAt: submittedAt.toISOString(), expectedBy: new Date(submittedAt.getTime() + BATCH_TURNAROUND_MS).toISOString() };
}

/** What a batch page says while some of its jobs (`awaitingBatch`, counted over the whole batch) wait for Google's batch. */
export function googleBatchSummary(batch: { economy: boolean; googleSubmittedAt: Date | null; awaitingBatch: number }) {
  const count = batch.awaitingBatch;
  if (!batch.economy || !batch.googleSubmittedAt || count === 0) return null;
  const submittedAt = batch.googleSubmittedAt;
  return { count, submittedAt: submittedAt.toISOString(), expectedBy: new Date(submittedAt.getTime() + BATCH_TURNAROUND_MS).toISOString() };
}

import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { failJob } from "~/models/jobs.server";
import { QUEUE_NAME, type StudioJobData } from "~/queue.server";
import { classifyJobError } from "./errors.server";
import { processGenerate } from "./generate.server";
import { failMediaJob, processPublish, processRestore } from "./publish.server";

async function run(job: Job<StudioJobData>, signal?: AbortSignal) {
  const data = job.data;
  switch (data.kind) {
    case "generate":
      return processGenerate(data.shop, data.jobId, signal);
    // The queue job's id is the claim it works for: it acts only on the outputs that claim still owns.
    case "publish":
      return processPublish(data.shop, data.jobId, data.outputIds, job.id!, signal);
    case "restore":
      return processRestore(data.shop, data.jobId, data.outputIds, job.id!, signal);
  }
}

export async function processStudioJob(job: Job<StudioJobData>, _token?: string, signal?: AbortSignal) {
  const { shop, jobId } = job.data;
  try {
    await run(job, signal);
  } catch (error) {
    const classified = classifyJobError(error);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    console.warn(`[worker] ${job.name} failed`, { shop, jobId, code: classified.code, transient: classified.transient, lastAttempt, error: (error as Error).message });
    if (!classified.transient || lastAttempt) {
      if (job.data.kind === "generate") {
        await failJob(shop, jobId, classified.code, classified.message);
      } else {
        await failMediaJob(job.data, job.id!, classified.code, classified.message);
      }
    }
    if (!classified.transient) throw new UnrecoverableError(classified.message);
    throw error;
  }
}

export function createStudioWorker(options: { connection: Redis; prefix: string; concurrency: number }) {
  return new Worker<StudioJobData>(QUEUE_NAME, processStudioJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: 120_000,
  });
}

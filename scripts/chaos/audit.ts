import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { MediaRecord } from "../emulator/state.ts";
import type { ChaosStack, QueueEntry } from "./stack.ts";
import { BUSY_REVIEW_STATES } from "../../app/models/constants.ts";

/**
 * The measurements the summary line adds up, taken at the end of every scenario for its stores:
 * - duplicated media: media on a job's product carrying the job's images beyond the outputs it asked
 *   for (one output attached twice, or a retry's remade outputs attached beside the first ones), plus
 *   copies still on the product of an output the app says it restored; found in the emulator's own
 *   store by the images' bytes (or the output's id in the file name), whatever the app recorded;
 * - lost jobs: rows that are neither finished nor queued: a job not done/failed/cancelled, or an
 *   output still publishing/restoring, with no queue entry that will run it.
 */
export interface Audit {
  duplicatedMedia: number;
  lostJobs: number;
  findings: string[];
}

export const TERMINAL = ["done", "failed", "cancelled"];
export const BUSY_OUTPUT: readonly string[] = BUSY_REVIEW_STATES;

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function auditShop(chaos: ChaosStack, shop: string): Promise<Audit> {
  const findings: string[] = [];
  const entries = await chaos.queueEntries();
  const mediaByOutput = await findOutputMedia(chaos, shop);
  let duplicatedMedia = 0;
  for (const job of await chaos.db.prisma.job.findMany({ where: { shop }, include: { outputs: true } })) {
    const onProduct = (outputId: string) => mediaByOutput.get(outputId)?.get(job.productId) ?? [];
    const media = job.outputs.flatMap((o) => onProduct(o.id));
    const extra = media.length - askedOutputs(job);
    if (extra > 0) {
      duplicatedMedia += extra;
      findings.push(`${media.length} media on ${job.productId} for job ${job.id}, which asked for ${askedOutputs(job)}`);
    }
    for (const output of job.outputs.filter((o) => o.reviewState === "restored" && onProduct(o.id).length > 0)) {
      duplicatedMedia += onProduct(output.id).length;
      findings.push(`output ${output.id} "restored" but still on ${job.productId}`);
    }
  }
  const lost = await findLostRows(chaos, shop, entries);
  findings.push(...lost);
  return { duplicatedMedia, lostJobs: lost.length, findings };
}

/** Outputs a job makes: one white-background image, or the lifestyle count (default 3). */
export function askedOutputs(job: { mode: string; options: string }): number {
  if (job.mode !== "lifestyle") return 1;
  const count = (JSON.parse(job.options) as { count?: number }).count;
  return typeof count === "number" ? count : 3;
}

/** For each output of the shop: the media on each product that carry its image, from the emulator's store. */
export async function findOutputMedia(chaos: ChaosStack, shop: string): Promise<Map<string, Map<string, MediaRecord[]>>> {
  const outputs = await chaos.db.prisma.output.findMany({ where: { shop, NOT: { storageKey: "pending" } } });
  const bySha = new Map<string, string>();
  for (const output of outputs) {
    const bytes = await readFile(path.join(chaos.storageDir, "files", output.storageKey)).catch(() => null);
    if (bytes) bySha.set(sha256(bytes), output.id);
  }
  const found = new Map<string, Map<string, MediaRecord[]>>();
  const store = chaos.emulator.state.shops.get(shop);
  for (const product of store?.products.values() ?? []) {
    for (const mediaId of product.mediaIds) {
      const media = store!.media.get(mediaId);
      if (!media) continue;
      const bytes = media.bytes.kind === "buffer" ? media.bytes.buffer : undefined;
      const outputId = (bytes && bySha.get(sha256(bytes))) ?? outputs.find((o) => media.filename.includes(o.id))?.id;
      if (!outputId) continue;
      const perProduct = found.get(outputId) ?? new Map<string, MediaRecord[]>();
      perProduct.set(product.id, [...(perProduct.get(product.id) ?? []), media]);
      found.set(outputId, perProduct);
    }
  }
  return found;
}

export async function findLostRows(chaos: ChaosStack, shop: string, entries?: QueueEntry[]): Promise<string[]> {
  const live = entries ?? (await chaos.queueEntries());
  // Entries carry ids (of the job, its outputs); whatever their shape, an entry that names a row will run it.
  const named = live.map((e) => JSON.stringify(e.data));
  const queued = (...ids: string[]) => named.some((data) => ids.some((id) => data.includes(`"${id}"`)));
  const lost: string[] = [];
  const jobs = await chaos.db.prisma.job.findMany({ where: { shop, status: { notIn: TERMINAL } } });
  for (const job of jobs) if (!queued(job.id)) lost.push(`job ${job.id} "${job.status}" with no queue entry`);
  const outputs = await chaos.db.prisma.output.findMany({ where: { shop, reviewState: { in: [...BUSY_OUTPUT] } } });
  for (const output of outputs)
    if (!queued(output.id, output.jobId)) lost.push(`output ${output.id} "${output.reviewState}" with no queue entry`);
  return lost;
}

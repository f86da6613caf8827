import { prisma } from "~/infra/db.server";
import { BUSY_REVIEW_STATES, PUBLISHABLE_REVIEW_STATES } from "~/models/constants";
import { enqueue, queueJobState } from "~/infra/queue.server";
import { PENDING_STORAGE_KEY } from "~/infra/storage.server";
import { adminApiForShop } from "~/models/admin.server";
import { findMarkedMedia } from "~/shopify/publish.server";
import { logger } from "~/infra/logger.server";

// Publishing outputs to the product's media and taking them off again. Every request moves outputs
// conditionally (compare-and-set on their review state and attempt), so two clicks, two tabs or a click
// beside the reconciler claim each output once; the claim queues ONE job whose id names the first
// claimed output and its new attempt, so it is deterministic and never reused. The queue job then owns
// those outputs (mediaQueueId): a job that no longer owns an output does nothing to it.

type MediaKind = "publish" | "restore";

interface Candidate {
  id: string;
  reviewState: string;
  mediaAttempt: number;
}

/** A merchant's click queues before the outputs of a batch's auto-publish (lower runs first). */
const PRIORITY = { merchant: 1, auto: 2 };
/** In flight this long with no queue entry working on it, an output is stuck (its request queued in milliseconds). */
export const STUCK_AFTER_MS = 60_000;
const LIVE_QUEUE_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

function mediaQueueId(kind: MediaKind, outputId: string, attempt: number) {
  return `${kind}-${outputId}-${attempt}`;
}

/**
 * Claims each candidate still in one of `from` at the attempt it was read with, in order; the first one
 * claimed names the queue job. `to` undefined keeps each output's state (the reconciler's re-claim).
 */
async function claim(
  shop: string,
  jobId: string,
  kind: MediaKind,
  candidates: Candidate[],
  from: readonly string[],
  to?: string,
  owner?: string | null,
) {
  let queueId: string | undefined;
  const claimed: Candidate[] = [];
  for (const output of candidates) {
    const attempt = output.mediaAttempt + 1;
    const id = queueId ?? mediaQueueId(kind, output.id, attempt);
    const { count } = await prisma.output.updateMany({
      where: {
        id: output.id,
        shop,
        jobId,
        reviewState: { in: [...from] },
        mediaAttempt: output.mediaAttempt,
        ...(owner !== undefined ? { mediaQueueId: owner } : {}),
      },
      data: { ...(to ? { reviewState: to } : {}), mediaAttempt: attempt, mediaQueueId: id, errorCode: null, error: null },
    });
    if (count === 1) {
      queueId = id;
      claimed.push(output);
    }
  }
  return queueId ? { queueId, claimed } : null;
}

/** Queues the claim; when Redis refuses, the outputs go back to where they were (nothing pretends to be queued). */
async function queueClaim(
  shop: string,
  jobId: string,
  kind: MediaKind,
  queueId: string,
  claimed: Candidate[],
  state: string,
  priority: number,
) {
  const outputIds = claimed.map((o) => o.id);
  try {
    await enqueue({ kind, shop, jobId, outputIds }, queueId, priority);
  } catch (error) {
    for (const output of claimed) {
      await prisma.output.updateMany({
        where: { id: output.id, shop, jobId, mediaQueueId: queueId, reviewState: state },
        data: { reviewState: output.reviewState },
      });
    }
    throw error;
  }
  return outputIds.length;
}

/**
 * Publishes outputs that are pending, failed or restored; any other is left as it is. Returns how many
 * were queued (0 when another request got there first). `auto` is the generate job's auto-publish: it
 * takes only outputs nobody has decided on yet (pending) and queues behind merchants' clicks. A job row in
 * "uploading" becomes done when no output of it is left to publish (here when nothing was claimed,
 * otherwise at the end of the publish job).
 */
export async function requestPublish(shop: string, jobId: string, outputIds: string[], options: { auto?: boolean } = {}): Promise<number> {
  const from = options.auto ? ["pending"] : PUBLISHABLE_REVIEW_STATES;
  const candidates = await prisma.output.findMany({
    where: { shop, jobId, id: { in: outputIds }, reviewState: { in: [...from] }, storageKey: { not: PENDING_STORAGE_KEY } },
    select: { id: true, reviewState: true, mediaAttempt: true },
    orderBy: { position: "asc" },
  });
  const result = await claim(shop, jobId, "publish", candidates, from, "publishing");
  if (!result) {
    await finishUploadingJob(shop, jobId);
    return 0;
  }
  return queueClaim(shop, jobId, "publish", result.queueId, result.claimed, "publishing", options.auto ? PRIORITY.auto : PRIORITY.merchant);
}

/** Takes published outputs off the product; any other is left as it is. Returns how many were queued. */
export async function requestRestore(shop: string, jobId: string, outputIds: string[]): Promise<number> {
  const candidates = await prisma.output.findMany({
    where: { shop, jobId, id: { in: outputIds }, reviewState: "published" },
    select: { id: true, reviewState: true, mediaAttempt: true },
    orderBy: { position: "asc" },
  });
  const result = await claim(shop, jobId, "restore", candidates, ["published"], "restoring");
  if (!result) return 0;
  return queueClaim(shop, jobId, "restore", result.queueId, result.claimed, "restoring", PRIORITY.merchant);
}

/** Only an output waiting for review can be rejected. */
export async function rejectOutputs(shop: string, jobId: string, outputIds: string[]): Promise<number> {
  const { count } = await prisma.output.updateMany({
    where: { shop, jobId, id: { in: outputIds }, reviewState: "pending" },
    data: { reviewState: "rejected" },
  });
  return count;
}

/** The generate job hands the row to its auto-publish in "uploading"; it is done once nothing of it is being published. */
export async function finishUploadingJob(shop: string, jobId: string): Promise<void> {
  await prisma.job.updateMany({
    where: { id: jobId, shop, status: "uploading", outputs: { none: { reviewState: { in: ["publishing", "attaching"] } } } },
    data: { status: "done", progress: 100, finishedAt: new Date() },
  });
}

/**
 * Finds outputs stuck publishing or restoring: in flight for STUCK_AFTER_MS with no queue entry working on
 * them. When Redis lost the entry (flushed, restarted without persistence), they are claimed again under a
 * new attempt and queued; the job searches the product for their markers first, so nothing is attached
 * twice. When the entry ended without settling them (failed by stalling, or its last database write
 * failed), the product is searched here: a publish whose media is on it and READY is published, any other
 * is failed with a Retry (Publish) button; a restore is restored when no media of it is left, otherwise
 * published again with the reason. Called periodically by the reconciler, and by the job page's button.
 */
export async function reconcilePublishing(
  scope: { shop?: string; jobId?: string; now?: Date } = {},
): Promise<{ requeued: number; settled: number }> {
  const now = scope.now ?? new Date();
  const stuck = await prisma.output.findMany({
    where: {
      ...(scope.shop ? { shop: scope.shop } : {}),
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
      reviewState: { in: [...BUSY_REVIEW_STATES] },
      updatedAt: { lt: new Date(now.getTime() - STUCK_AFTER_MS) },
    },
    select: {
      id: true,
      shop: true,
      jobId: true,
      reviewState: true,
      mediaAttempt: true,
      mediaQueueId: true,
      job: { select: { productId: true, status: true } },
    },
    orderBy: [{ jobId: "asc" }, { position: "asc" }],
    take: 500,
  });
  const groups = new Map<string, typeof stuck>();
  for (const output of stuck) {
    const key = [output.shop, output.jobId, output.reviewState === "restoring", output.mediaQueueId].join("\n");
    groups.set(key, [...(groups.get(key) ?? []), output]);
  }

  let requeued = 0;
  let settled = 0;
  for (const outputs of groups.values()) {
    const { shop, jobId, mediaQueueId: owner, job } = outputs[0];
    const kind: MediaKind = outputs[0].reviewState === "restoring" ? "restore" : "publish";
    const from = kind === "restore" ? ["restoring"] : ["publishing", "attaching"];
    const state = owner ? await queueJobState(owner) : "unknown";
    if (LIVE_QUEUE_STATES.has(state)) continue;
    if (state === "unknown") {
      const result = await claim(shop, jobId, kind, outputs, from, undefined, owner);
      if (!result) continue;
      const priority = job.status === "uploading" ? PRIORITY.auto : PRIORITY.merchant;
      await enqueue({ kind, shop, jobId, outputIds: result.claimed.map((o) => o.id) }, result.queueId, priority);
      requeued += result.claimed.length;
    } else {
      settled += await settleByMarker(
        shop,
        jobId,
        job.productId,
        kind,
        outputs.map((o) => o.id),
        owner,
      );
    }
  }
  return { requeued, settled };
}

async function settleByMarker(
  shop: string,
  jobId: string,
  productId: string,
  kind: MediaKind,
  outputIds: string[],
  owner: string | null,
): Promise<number> {
  const marked = await adminApiForShop(shop)
    .then((api) => findMarkedMedia(api, productId, outputIds))
    .catch((error: Error) => {
      logger.warn({ shop, jobId, error: error.message }, "[publishing] could not look for the outputs' media");
      return undefined;
    });
  const from = kind === "restore" ? ["restoring"] : ["publishing", "attaching"];
  let count = 0;
  for (const id of outputIds) {
    const media = marked?.byKey.get(id);
    const ready = media?.find((m) => m.status === "READY");
    const data =
      kind === "publish"
        ? ready
          ? { reviewState: "published", shopifyMediaId: ready.id, publishedAt: new Date(), removedAt: null }
          : {
              reviewState: "failed",
              ...(marked ? { shopifyMediaId: media?.[0]?.id ?? null } : {}),
              errorCode: "PUBLISH_INTERRUPTED",
              error: "Publishing was interrupted. Publish again: an image already on the product is kept, not added twice.",
            }
        : marked && !media
          ? { reviewState: "restored", shopifyMediaId: null, removedAt: new Date() }
          : { reviewState: "published", errorCode: "RESTORE_INTERRUPTED", error: "Removing the image was interrupted. Remove it again." };
    const { count: updated } = await prisma.output.updateMany({
      where: { id, shop, jobId, mediaQueueId: owner, reviewState: { in: from } },
      data,
    });
    count += updated;
  }
  if (kind === "publish") await finishUploadingJob(shop, jobId);
  return count;
}

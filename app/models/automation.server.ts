import type { Session } from "@shopify/shopify-api";
import { prisma } from "~/infra/db.server";
import { logger } from "~/infra/logger.server";
import { render } from "~/i18n/index";
import { refusal, resolveSpec } from "~/models/generation.server";
import { createJobs, type NewJob } from "~/models/jobs.server";
import { getSettings } from "~/models/settings.server";
import { CapReachedError } from "~/models/usage.server";

// Automation: when a product is created or gets a new photo, its white-background image is made, with
// the shop's defaults, its plan, its cap and its publish setting, as a job the merchant started would be.
// One job per new source image, whatever the number of deliveries: an AutomationEvent row, unique per
// shop, product and media, is written in the job's own transaction, so a redelivered or repeated webhook
// meets it and makes nothing. The webhook's work is reads, that transaction and an enqueue (no Admin API
// call): it answers at once, and with Redis away the job waits in the database for the reconciler. Never for media the app attached itself (their file names carry an output's marker, and
// their ids are recorded on the outputs), nor for photos a job already used.

interface WebhookMedia {
  admin_graphql_api_id?: unknown;
  media_content_type?: unknown;
  status?: unknown;
  created_at?: unknown;
  preview_image?: { src?: unknown; width?: unknown; height?: unknown } | null;
}

interface ProductPayload {
  admin_graphql_api_id?: unknown;
  title?: unknown;
  media?: WebhookMedia[];
}

export interface AutomationResult {
  queued: number;
  skipped: number;
}

/** The `-<id>` parts of a media's file name: where the app's output marker would be. */
function markerCandidates(src: string): string[] {
  let name: string;
  try {
    name = decodeURIComponent(new URL(src).pathname.split("/").pop() ?? "").toLowerCase();
  } catch {
    return [];
  }
  return [...name.matchAll(/-([a-z0-9]+)(?=[._-]|$)/g)].map((match) => match[1]);
}

export async function onProductWebhook(input: {
  shop: string;
  session: Session | undefined;
  topic: string;
  webhookId: string | undefined;
  payload: unknown;
}): Promise<AutomationResult> {
  const { shop, session } = input;
  const result: AutomationResult = { queued: 0, skipped: 0 };
  const settings = await getSettings(shop);
  if (!settings.automation || !settings.automationSince || !session) return result;
  const payload = (input.payload ?? {}) as ProductPayload;
  const productId = typeof payload.admin_graphql_api_id === "string" ? payload.admin_graphql_api_id : null;
  if (!productId || !/^gid:\/\/shopify\/Product\/\d+$/.test(productId)) return result;
  const title = typeof payload.title === "string" ? payload.title : "";

  // New to automation: an image, processed (a webhook about a media still processing is followed by
  // another once it is READY), made since automation was turned on.
  const since = settings.automationSince.getTime();
  const candidates = (payload.media ?? []).filter(
    (media): media is WebhookMedia & { admin_graphql_api_id: string; preview_image: { src: string } } =>
      typeof media.admin_graphql_api_id === "string" &&
      media.media_content_type === "IMAGE" &&
      media.status === "READY" &&
      typeof media.preview_image?.src === "string" &&
      typeof media.created_at === "string" &&
      new Date(media.created_at).getTime() >= since,
  );
  if (candidates.length === 0) return result;

  const mediaIds = candidates.map((media) => media.admin_graphql_api_id);
  const markers = candidates.flatMap((media) => markerCandidates(media.preview_image.src));
  const [ownOutputs, usedSources, seen] = await Promise.all([
    prisma.output.findMany({
      where: { shop, OR: [{ shopifyMediaId: { in: mediaIds } }, { id: { in: markers } }] },
      select: { id: true, shopifyMediaId: true },
    }),
    prisma.sourceImage.findMany({ where: { shop, shopifyMediaId: { in: mediaIds } }, select: { shopifyMediaId: true } }),
    prisma.automationEvent.findMany({ where: { shop, productId, mediaId: { in: mediaIds } }, select: { mediaId: true } }),
  ]);
  const ownIds = new Set(ownOutputs.map((output) => output.id));
  const skip = new Set([
    ...ownOutputs.map((output) => output.shopifyMediaId),
    ...usedSources.map((source) => source.shopifyMediaId),
    ...seen.map((event) => event.mediaId),
  ]);

  // The shop's defaults, plan (the free plan's is the local provider) and publish setting, as for a job
  // the merchant starts; the photo is the payload's, which Shopify signed: no Admin API call here.
  const resolved = await resolveSpec(shop, { mode: "white" });
  for (const media of candidates) {
    const mediaId = media.admin_graphql_api_id;
    if (skip.has(mediaId) || markerCandidates(media.preview_image.src).some((marker) => ownIds.has(marker))) {
      result.skipped++;
      continue;
    }
    const claim = { shop, productId, mediaId, productTitle: title, topic: input.topic, webhookId: input.webhookId };
    if ("errors" in resolved) {
      const messages = Object.values(resolved.errors);
      const reason = messages.some((m) => m.code === "PLAN_NEEDED") ? "plan" : "error";
      await recordRefusal(claim, `${reason}: ${messages.map((m) => render("en", m)).join(" ")}`);
      continue;
    }
    const job: NewJob = {
      productId,
      productTitle: title,
      mode: "white",
      options: resolved.spec.options,
      provider: resolved.spec.provider,
      sources: [
        {
          origin: "product",
          shopifyMediaId: mediaId,
          url: media.preview_image.src,
          width: typeof media.preview_image.width === "number" ? media.preview_image.width : undefined,
          height: typeof media.preview_image.height === "number" ? media.preview_image.height : undefined,
        },
      ],
    };
    try {
      // The claim is written in the job's own transaction: a redelivery, or two deliveries at once, meets the
      // unique row and makes nothing; a crash before the commit leaves nothing, and the redelivery makes it.
      // With Redis away the job stays queued and the reconciler queues it.
      const created = await createJobs(shop, [job], undefined, {
        keepIfQueueDown: true,
        inTransaction: (tx, jobs) => tx.automationEvent.create({ data: { ...claim, status: "queued", jobId: jobs[0].id } }),
      });
      if (!created.queued)
        logger.warn({ shop, productId, mediaId, jobId: created.jobs[0]?.id }, "[automation] job saved; the reconciler queues it");
      result.queued++;
    } catch (error) {
      if ((error as { code?: string }).code === "P2002") {
        result.skipped++;
        continue;
      }
      if (!(error instanceof CapReachedError)) throw error;
      const { errors } = refusal(error);
      await recordRefusal(
        claim,
        `cap: ${Object.values(errors)
          .map((m) => render("en", m))
          .join(" ")}`,
      );
      logger.warn({ shop, productId, mediaId }, "[automation] no job for a new photo: the monthly cap is reached");
    }
  }
  return result;
}

/** A new photo automation could not make a job for (kept in English for support; the card shows the reason's kind). Once per photo. */
async function recordRefusal(
  claim: { shop: string; productId: string; mediaId: string; productTitle: string; topic: string; webhookId: string | undefined },
  reason: string,
) {
  await prisma.automationEvent
    .create({ data: { ...claim, status: "refused", reason: reason.slice(0, 500) } })
    .catch((error: { code?: string }) => {
      if (error.code !== "P2002") throw error;
    });
}

/** What automation did lately, for the home page. */
export async function listAutomationEvents(shop: string, take = 10) {
  const events = await prisma.automationEvent.findMany({ where: { shop }, orderBy: { createdAt: "desc" }, take });
  const jobs = await prisma.job.findMany({
    where: { shop, id: { in: events.map((event) => event.jobId).filter((id): id is string => Boolean(id)) } },
    select: { id: true, status: true },
  });
  const statusOf = new Map(jobs.map((job) => [job.id, job.status]));
  return events.map((event) => ({
    id: event.id,
    productTitle: event.productTitle,
    status: event.status,
    reason: event.reason?.split(":")[0] ?? null,
    jobId: event.jobId,
    jobStatus: event.jobId ? (statusOf.get(event.jobId) ?? null) : null,
    createdAt: event.createdAt.toISOString(),
  }));
}

/** The home page's automation card: whether it is on, and what it did lately. */
export async function loadAutomationCard(shop: string) {
  const [settings, events] = await Promise.all([getSettings(shop), listAutomationEvents(shop)]);
  return { on: settings.automation, events };
}

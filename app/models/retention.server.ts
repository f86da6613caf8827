import { prisma } from "~/infra/db.server";
import { TERMINAL_STATES } from "~/models/constants";
import { deleteFile } from "~/infra/storage.server";

// Each shop's "keep jobs and images for N days" (Settings). A finished job older than that goes, with
// its stored images and uploads, unless one of its images is on a product now: that job stays so the
// image can still be removed from the app. Images on products are Shopify's and are never touched here.

const DAY = 86_400_000;
const DEFAULT_RETENTION_DAYS = 90;

/** Run by a job scheduler (see ensureSchedulers); `signal` stops it between shops at shutdown. */
export async function purgeExpiredJobs(now = new Date(), signal?: AbortSignal): Promise<{ jobs: number; files: number }> {
  const candidates = await prisma.job.groupBy({
    by: ["shop"],
    where: { status: { in: [...TERMINAL_STATES] }, finishedAt: { lt: new Date(now.getTime() - DAY) } },
  });
  let jobs = 0;
  let files = 0;
  for (const { shop } of candidates) {
    if (signal?.aborted) break;
    const settings = await prisma.shopSettings.findUnique({ where: { shop }, select: { retentionDays: true } });
    const cutoff = new Date(now.getTime() - (settings?.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY);
    const expired = await prisma.job.findMany({
      where: {
        shop,
        status: { in: [...TERMINAL_STATES] },
        finishedAt: { lt: cutoff },
        outputs: { none: { shopifyMediaId: { not: null }, removedAt: null } },
      },
      select: { id: true, sources: { select: { storageKey: true } }, outputs: { select: { storageKey: true } } },
      take: 500,
    });
    if (expired.length === 0) continue;
    const ids = expired.map((job) => job.id);
    await prisma.job.deleteMany({ where: { shop, id: { in: ids } } });
    jobs += ids.length;

    // An upload can be shared with a later job (regenerate): its file goes only when no job refers to it.
    const outputKeys = expired.flatMap((job) => job.outputs.map((o) => o.storageKey));
    const uploadKeys = [...new Set(expired.flatMap((job) => job.sources.flatMap((s) => (s.storageKey ? [s.storageKey] : []))))];
    const stillUsed = new Set(
      (await prisma.sourceImage.findMany({ where: { shop, storageKey: { in: uploadKeys } }, select: { storageKey: true } })).map(
        (s) => s.storageKey,
      ),
    );
    for (const key of [...outputKeys, ...uploadKeys.filter((key) => !stillUsed.has(key))]) {
      if (!key.startsWith(`${shop}/`)) continue;
      await deleteFile(key);
      files++;
    }
    await prisma.batch.deleteMany({ where: { shop, createdAt: { lt: cutoff }, jobs: { none: {} } } });
  }
  return { jobs, files };
}

import { prisma } from "~/db.server";
import { failJob, getJob, updateJobProgress } from "~/models/jobs.server";
import { getSettings } from "~/models/settings.server";
import { recordUsage } from "~/models/usage.server";
import { fileKey, loadFile, PENDING_STORAGE_KEY, saveFile } from "~/storage.server";
import { fetchProductImage } from "~/shopify/fetch-image.server";
import { getProductForGeneration } from "~/models/products.server";
import { generate, lifestyleOptionsSchema, whiteOptionsSchema, type ProviderName } from "~/studio";
import { adminApiForShop } from "~/models/admin.server";
import { getStudioConfig } from "~/studio-config.server";
import { publishOutputs } from "./publish.server";
import { PermanentJobError } from "./errors.server";

const STAGE_RANGES = { analysing: [5, 20], generating: [20, 80], checking: [80, 90] } as const;

export async function processGenerate(shop: string, jobId: string, signal?: AbortSignal) {
  const job = await getJob(shop, jobId);
  if (!job) throw new PermanentJobError("JOB_NOT_FOUND", "This job no longer exists.");
  if (job.status === "cancelled" || job.status === "done") return;

  await updateJobProgress(shop, jobId, "analysing", 5);
  const api = await adminApiForShop(shop);
  const product = await getProductForGeneration(api, job.productId);
  if (!product) {
    throw new PermanentJobError("PRODUCT_NOT_FOUND", "This product no longer exists in your store, so nothing was generated.");
  }

  const photos = await Promise.all(
    job.sources.map((source) =>
      source.storageKey ? loadFile(source.storageKey) : fetchProductImage(source.url ?? ""),
    ),
  );

  const options =
    job.mode === "white"
      ? whiteOptionsSchema.parse(JSON.parse(job.options))
      : lifestyleOptionsSchema.parse(JSON.parse(job.options));

  let lastProgress = 0;
  const result = await generate(
    {
      mode: job.mode as "white" | "lifestyle",
      options,
      photos,
      product,
      provider: job.provider as ProviderName,
      signal,
      onProgress: (stage, percent) => {
        const [from, to] = STAGE_RANGES[stage];
        const progress = from + ((to - from) * percent) / 100;
        // Progress writes are throttled to whole steps so a chatty provider does not hammer the database.
        if (progress - lastProgress >= 2 || percent === 100) {
          lastProgress = progress;
          void updateJobProgress(shop, jobId, stage, progress);
        }
      },
    },
    getStudioConfig(),
  );

  // Cancelled while generating, or cancelled and retried: then the newer attempt makes the outputs.
  const current = await getJob(shop, jobId);
  if (!current || current.status === "cancelled" || current.attempts !== job.attempts) return;

  const start = await prisma.output.count({ where: { shop, jobId } });
  const outputs: { id: string }[] = [];
  for (const [index, output] of result.outputs.entries()) {
    const ext = output.format === "jpeg" ? "jpg" : output.format;
    const created = await prisma.output.create({
      data: {
        shop,
        jobId,
        position: start + index,
        storageKey: PENDING_STORAGE_KEY,
        format: output.format,
        width: output.width,
        height: output.height,
        bytes: output.data.length,
        provider: output.provider,
        prompt: output.prompt,
        promptVersion: output.promptVersion,
        report: JSON.stringify({ ...output.report, ms: output.ms, composition: output.composition, notes: [...output.report.notes, ...result.notes] }),
      },
    });
    const key = fileKey(shop, jobId, `${created.id}.${ext}`);
    await saveFile(key, output.data);
    outputs.push(await prisma.output.update({ where: { id: created.id }, data: { storageKey: key } }));
  }
  await prisma.sourceImage.updateMany({ where: { shop, jobId }, data: { used: false } });
  await prisma.sourceImage.updateMany({
    where: { shop, jobId, position: { in: result.usedPhotos.map((i) => job.sources[i]?.position ?? -1) } },
    data: { used: true },
  });
  await recordUsage(shop, job.provider, outputs.length);

  const settings = await getSettings(shop);
  if (settings.publishMode === "auto") {
    // Auto-publish trusts the quality gates: a result they flag waits for the merchant's review.
    const passed = result.outputs.flatMap((output, i) => {
      const { report } = output;
      const pureEnough = job.mode !== "white" || (report.backgroundPurity ?? 0) >= 0.999;
      return !report.fidelityFlag && pureEnough ? [outputs[i]!.id] : [];
    });
    if (passed.length > 0) {
      await updateJobProgress(shop, jobId, "uploading", 92);
      await publishOutputs(shop, jobId, passed);
    }
  }
  await updateJobProgress(shop, jobId, "done", 100);
}

export { failJob };

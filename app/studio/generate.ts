import sharp from "sharp";
import { analyseImage, type ImageAnalysis } from "./analyse";
import { availableProviders, providerCapabilities, type StudioConfig } from "./config";
import { cutOutProduct, type Cutout } from "./cutout";
import { StudioError, throwIfAborted } from "./errors";
import { FIDELITY_THRESHOLD, measureFidelity } from "./fidelity";
import { repairWhiteBackground } from "./gate";
import { encodeImage } from "./image";
import { decodePhoto, loadInputImage } from "./input";
import { chooseScene, COMPOSITIONS, composeLifestyle } from "./lifestyle";
import { frameSize, lifestyleOptionsSchema, whiteOptionsSchema, type LifestyleOptions, type WhiteOptions } from "./options";
import { prepareProduct, type PreparedProduct } from "./product";
import { buildLifestylePrompt, buildWhitePrompt, PROMPT_VERSIONS } from "./prompts";
import { createGeminiProvider } from "./providers/gemini";
import { renderLocalWhite } from "./providers/local-white";
import { createOpenAiCompatibleProvider } from "./providers/openai-compatible";
import { DEFAULT_RETRY, type ImageProvider, type ImageRequest } from "./providers/types";
import type { QualityReport } from "./report";
import { segmentProduct } from "./segment";
import { chooseSubject } from "./subject";
import { choosePhotos } from "./select";
import { readStyle } from "./style";
import type { StudioOutput, StudioRequest, StudioResult } from "./types";
import { labelOutput } from "./xmp";

const MAX_PHOTOS = 5;
const SCENE_WORDS = { top: "flat-lay seen from above", floor: "floor-level room", table: "tabletop" } as const;
const NO_ANALYSIS: ImageAnalysis = { source: "local", labels: [], objects: [], colours: [], brightness: 0.5, aspect: 1 };

interface Job {
  request: StudioRequest;
  config: StudioConfig;
  photos: Buffer[];
  analysis: ImageAnalysis;
  notes: string[];
  progress: (stage: "analysing" | "generating" | "checking", percent: number) => void;
  /** Indexes into request.photos of the photos sent. */
  usedPhotos: number[];
}

/** Runs one studio job: load and choose photos, generate with the provider, pass every output through the gates. */
export async function generate(request: StudioRequest, config: StudioConfig): Promise<StudioResult> {
  const job = await prepareJob(request, config);
  const { notes, progress } = job;
  const capabilities = providerCapabilities(request.provider, config);
  let outputs: StudioOutput[];
  if (request.mode === "white") {
    const options = whiteOptionsSchema.parse(request.options);
    if (options.topView && !capabilities.canChangeViewpoint)
      notes.push(`${request.provider} cannot change the viewpoint; top view not applied`);
    outputs = request.provider === "local" ? await makeLocalWhite(job, options) : await makeGenerativeWhite(job, options);
  } else {
    const options = lifestyleOptionsSchema.parse(request.options);
    const nudge = readStyle(options.style);
    if (request.provider === "local" && options.style.trim()) {
      notes.push(
        nudge.matched.length ? `style keywords applied: ${nudge.matched.join(", ")}` : "no style keywords recognised; preset look used",
      );
    }
    outputs = request.provider === "local" ? await makeLocalLifestyle(job, options) : await makeGenerativeLifestyle(job, options);
  }
  progress("checking", 100);
  return { outputs: outputs.map(labelOutput), usedPhotos: job.usedPhotos, notes };
}

/**
 * The generation requests a job will send its provider, in the order generate() sends them, without
 * sending any: the local steps (photo choice, analysis, prompts) only. Economy bulk gathers these into
 * one Google batch, then runs generate() with the batch's answers as its provider (`imageProvider`).
 */
export async function planImageRequests(request: StudioRequest, config: StudioConfig): Promise<Omit<ImageRequest, "signal">[]> {
  if (request.provider === "local") throw new StudioError("PROVIDER_BAD_REQUEST", "The local provider sends no generation requests.");
  const job = await prepareJob(request, config);
  const base = { photos: job.photos, ratio: request.options.ratio, size: request.options.size };
  if (request.mode === "white") {
    return [{ ...base, prompt: buildWhitePrompt(request.product, job.analysis, whiteOptionsSchema.parse(request.options)) }];
  }
  const options = lifestyleOptionsSchema.parse(request.options);
  return COMPOSITIONS.slice(0, options.count).map((composition) => ({
    ...base,
    prompt: buildLifestylePrompt(request.product, job.analysis, options, composition),
  }));
}

/** The steps every run starts with: check the request, load and choose photos, analyse. */
async function prepareJob(request: StudioRequest, config: StudioConfig): Promise<Job> {
  const progress = request.onProgress ?? (() => undefined);
  if (request.photos.length < 1 || request.photos.length > MAX_PHOTOS) {
    throw new StudioError("PROVIDER_BAD_REQUEST", `Choose between 1 and ${MAX_PHOTOS} photos.`);
  }
  if (!availableProviders(config).includes(request.provider)) {
    throw new StudioError("PROVIDER_NOT_CONFIGURED", `The ${request.provider} provider is not set up for this app.`);
  }
  progress("analysing", 0);
  const capabilities = providerCapabilities(request.provider, config);
  // The local provider decodes its one photo itself, once, at working size; photos are normalised
  // (decoded and re-encoded) only to be compared, analysed by Vision or sent to a generative provider.
  const normalise = request.provider !== "local" || request.photos.length > capabilities.maxInputImages || config.vision !== undefined;
  const loaded = normalise
    ? await Promise.all(request.photos.map((photo) => loadInputImage(photo)))
    : request.photos.map((data) => ({ data }));
  throwIfAborted(request.signal);
  const usedPhotos = await choosePhotos(
    loaded.map((p) => p.data),
    capabilities.maxInputImages,
  );
  const notes: string[] = [];
  if (usedPhotos.length < loaded.length) {
    notes.push(
      `${request.provider} takes ${capabilities.maxInputImages} photo(s): used photo(s) ${usedPhotos.map((i) => i + 1).join(", ")} of ${loaded.length}`,
    );
  }
  const photos = usedPhotos.map((i) => loaded[i].data);
  // Generative providers read the analysis in their prompt; the local one only uses Vision's labels
  // (when Vision is configured) to choose the product, so it decodes nothing for a local analysis.
  const analysis = request.provider === "local" && !config.vision ? NO_ANALYSIS : await analyseImage(photos[0], config);
  if (analysis.note) notes.push(analysis.note);
  throwIfAborted(request.signal);
  progress("analysing", 15);
  return { request, config, photos, analysis, notes, progress, usedPhotos };
}

async function makeLocalWhite(job: Job, options: WhiteOptions): Promise<StudioOutput[]> {
  const started = Date.now();
  job.progress("generating", 20);
  const prepared = await prepareProduct(job.photos[0], options.size, job.request.product, job.analysis.labels);
  throwIfAborted(job.request.signal);
  job.progress("checking", 85);
  const rendered = await renderLocalWhite(prepared.cutout, options);
  const { box } = prepared.cutout;
  const scale = Math.min((options.fill * rendered.width) / box.width, (options.fill * rendered.height) / box.height);
  Object.assign(rendered.report, { fidelity: 1, fidelityFlag: false, fillTarget: options.fill }, describeSource(prepared, scale));
  rendered.report.notes.push(...prepared.notes, "local: the product's pixels are the photo's own");
  return [
    { ...rendered, format: options.format, provider: "local", prompt: null, promptVersion: "local-white-v2", ms: Date.now() - started },
  ];
}

/**
 * What the photo and the subject choice mean for an output: which objects were kept, whether the
 * product was cut off by the photo's edge, and how much it was enlarged from the source photo.
 * `scale` is output pixels per working pixel.
 */
function describeSource(prepared: PreparedProduct, scale: number): Partial<QualityReport> {
  const { cutout, source } = prepared;
  return {
    subjectTouchesEdge: cutout.touchedEdges.length > 0,
    touchedEdges: cutout.touchedEdges,
    keptObjects: prepared.keptObjects,
    droppedObjects: prepared.droppedObjects,
    subjectUnclear: prepared.subjectUnclear,
    sourceWidth: source.width,
    sourceHeight: source.height,
    productSourcePx: prepared.productSourcePx,
    upscale: Math.round(((scale * cutout.sourceWidth) / source.width) * 100) / 100,
  };
}

async function makeLocalLifestyle(job: Job, options: LifestyleOptions): Promise<StudioOutput[]> {
  const started = Date.now();
  job.progress("generating", 20);
  const prepared = await prepareProduct(job.photos[0], options.size, job.request.product, job.analysis.labels);
  const nudge = readStyle(options.style);
  const scene = chooseScene(prepared.cutout, job.request.product, job.analysis.labels);
  const outputs: StudioOutput[] = [];
  const compositions = COMPOSITIONS.slice(0, options.count);
  for (const [i, composition] of compositions.entries()) {
    throwIfAborted(job.request.signal);
    const t = Date.now();
    const image = await composeLifestyle(prepared.cutout, options, composition, nudge, scene);
    const report: QualityReport = {
      kind: "lifestyle",
      width: image.width,
      height: image.height,
      bytes: image.data.length,
      format: options.format,
      fidelity: 1,
      fidelityFlag: false,
      ...describeSource(prepared, image.scale),
      notes: [...prepared.notes, `scene: ${SCENE_WORDS[scene.view]} (${scene.reason})`, "local: the product's pixels are the photo's own"],
    };
    // The shared segmentation is charged to the first output.
    const ms = Date.now() - t + (i === 0 ? t - started : 0);
    outputs.push({
      data: image.data,
      width: image.width,
      height: image.height,
      format: options.format,
      provider: "local",
      prompt: null,
      promptVersion: "local-lifestyle-v2",
      report,
      ms,
      composition,
    });
    job.progress("generating", 20 + Math.round((70 * (i + 1)) / compositions.length));
  }
  return outputs;
}

function createProvider(job: Job): ImageProvider {
  if (job.request.imageProvider) return job.request.imageProvider;
  const { provider: name } = job.request;
  const { config } = job;
  const retry = config.retry ?? DEFAULT_RETRY;
  if (name === "gemini" && config.gemini) return createGeminiProvider(config.gemini, retry, config.gate);
  if (name === "openai-compatible" && config.openaiCompatible)
    return createOpenAiCompatibleProvider(config.openaiCompatible, retry, config.gate);
  throw new StudioError("PROVIDER_NOT_CONFIGURED", `The ${name} provider is not set up for this app.`);
}

async function makeGenerativeWhite(job: Job, options: WhiteOptions): Promise<StudioOutput[]> {
  const started = Date.now();
  const provider = createProvider(job);
  const prompt = buildWhitePrompt(job.request.product, job.analysis, options);
  job.progress("generating", 20);
  const [answer, reference] = await Promise.all([
    provider.createImage({ prompt, photos: job.photos, ratio: options.ratio, size: options.size, signal: job.request.signal }),
    prepareProduct(job.photos[0], options.size, job.request.product, job.analysis.labels),
  ]);
  job.notes.push(...answer.notes);
  job.progress("checking", 80);
  // Every generative white image goes through the repair: models drift off-white and off-centre.
  const repaired = await repairWhiteBackground(answer.image, options);
  await scoreFidelity(repaired.report, reference, repaired.cutout);
  return [
    {
      data: repaired.data,
      width: repaired.width,
      height: repaired.height,
      format: options.format,
      provider: job.request.provider,
      prompt,
      promptVersion: PROMPT_VERSIONS.white,
      report: repaired.report,
      ms: Date.now() - started,
    },
  ];
}

async function makeGenerativeLifestyle(job: Job, options: LifestyleOptions): Promise<StudioOutput[]> {
  const provider = createProvider(job);
  const reference = await prepareProduct(job.photos[0], 1024, job.request.product, job.analysis.labels);
  const { width, height } = frameSize(options.size, options.ratio);
  const outputs: StudioOutput[] = [];
  const compositions = COMPOSITIONS.slice(0, options.count);
  for (const [i, composition] of compositions.entries()) {
    throwIfAborted(job.request.signal);
    const started = Date.now();
    const prompt = buildLifestylePrompt(job.request.product, job.analysis, options, composition);
    let best: { data: Buffer; report: QualityReport } | null = null;
    // A flagged image gets one more try; the better of the two is kept.
    for (let attempt = 0; attempt < 2 && (!best || best.report.fidelityFlag); attempt++) {
      const answer = await provider.createImage({
        prompt,
        photos: job.photos,
        ratio: options.ratio,
        size: options.size,
        signal: job.request.signal,
      });
      job.notes.push(...answer.notes);
      const candidate = await finishLifestyle(answer.image, reference, options, width, height);
      if (attempt > 0) candidate.report.notes.push("regenerated once because the product looked changed");
      if (!best || (candidate.report.fidelity ?? 0) > (best.report.fidelity ?? 0)) best = candidate;
    }
    outputs.push({
      data: best!.data,
      width,
      height,
      format: options.format,
      provider: job.request.provider,
      prompt,
      promptVersion: PROMPT_VERSIONS.lifestyle,
      report: best!.report,
      ms: Date.now() - started,
      composition,
    });
    job.progress("generating", 20 + Math.round((70 * (i + 1)) / compositions.length));
  }
  return outputs;
}

async function finishLifestyle(image: Buffer, reference: PreparedProduct, options: LifestyleOptions, width: number, height: number) {
  const { data: pixels } = await sharp(image)
    .resize(width, height, { fit: "cover" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const data = await encodeImage({ data: pixels, width, height, channels: 3 }, options.format, "photo");
  const report: QualityReport = { kind: "lifestyle", width, height, bytes: data.length, format: options.format, notes: [] };
  const { image: working } = await decodePhoto(data, 1024);
  try {
    const cutout = cutOutProduct(working, chooseSubject(await segmentProduct(working)));
    await scoreFidelity(report, reference, cutout);
  } catch (error) {
    if (!(error instanceof StudioError) || error.code !== "NO_PRODUCT") throw error;
    Object.assign(report, { fidelity: 0, fidelityFlag: true });
    report.notes.push("no product found in the generated image");
  }
  return { data, report };
}

async function scoreFidelity(report: QualityReport, reference: PreparedProduct, output: Cutout): Promise<void> {
  const fidelity = await measureFidelity(reference.cutout, output);
  report.fidelity = Math.round(fidelity * 1000) / 1000;
  report.fidelityFlag = fidelity < FIDELITY_THRESHOLD;
  if (report.fidelityFlag) report.notes.push("the product may have changed");
}

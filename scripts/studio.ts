// The studio engine from the command line: npm run studio -- white|lifestyle [options] PHOTO...
//   [--provider NAME] [--title TEXT] [--style TEXT] [--preset NAME] [--size N] [--ratio W:H] [--fill F]
//   [--no-shadow] [--top-view] [--count 2|3] [--format jpeg|png|webp] [--out DIR]
// Writes the outputs and DIR/report.json: per output the quality report as an outside checker measures
// it (backgroundPurity, borderPurity, fillRatio of all non-white pixels), subjectTouchesEdge,
// keptObjects, holdReasons (why auto-publish would hold it) and ms.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  defaultProvider,
  generate,
  holdReasons,
  lifestyleOptionsSchema,
  pricePerImageUsd,
  studioConfigFromEnv,
  studioEnvSchema,
  StudioError,
  whiteOptionsSchema,
  type ProviderName,
} from "../app/studio/index";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    provider: { type: "string" },
    title: { type: "string" },
    style: { type: "string" },
    preset: { type: "string" },
    size: { type: "string" },
    ratio: { type: "string" },
    fill: { type: "string" },
    count: { type: "string" },
    format: { type: "string" },
    "no-shadow": { type: "boolean" },
    "top-view": { type: "boolean" },
    out: { type: "string", default: "studio-out" },
  },
});

const [mode, ...photoPaths] = positionals;
if ((mode !== "white" && mode !== "lifestyle") || photoPaths.length === 0) {
  console.error("usage: npm run studio -- white|lifestyle [options] PHOTO...");
  process.exit(2);
}
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const config = studioConfigFromEnv(studioEnvSchema.parse(process.env));
const provider = (values.provider ?? defaultProvider(config)) as ProviderName;
const options =
  mode === "white"
    ? whiteOptionsSchema.parse({
        size: num(values.size),
        ratio: values.ratio,
        fill: num(values.fill),
        shadow: !values["no-shadow"],
        format: values.format,
        topView: values["top-view"] ?? false,
      })
    : lifestyleOptionsSchema.parse({
        size: num(values.size),
        ratio: values.ratio,
        preset: values.preset,
        style: values.style,
        count: num(values.count),
        format: values.format,
      });

try {
  const photos = await Promise.all(photoPaths.map((p) => readFile(p)));
  const started = Date.now();
  const result = await generate(
    {
      mode,
      options,
      photos,
      provider,
      product: { title: values.title ?? path.parse(photoPaths[0]).name },
      onProgress: (stage, percent) => process.stderr.write(`\r${stage} ${percent}%   `),
    },
    config,
  );
  process.stderr.write("\n");
  await mkdir(values.out, { recursive: true });
  const report = [];
  for (const [i, output] of result.outputs.entries()) {
    const file = path.join(
      values.out,
      `${mode}-${i + 1}${output.composition ? `-${output.composition}` : ""}.${output.format === "jpeg" ? "jpg" : output.format}`,
    );
    await writeFile(file, output.data);
    const { report: q } = output;
    const hold = holdReasons(q, mode);
    report.push({
      path: file,
      composition: output.composition,
      provider: output.provider,
      ...q,
      holdReasons: hold,
      ms: output.ms,
      prompt: output.prompt,
      promptVersion: output.promptVersion,
    });
    const figures =
      q.backgroundPurity !== undefined
        ? `  purity ${(q.backgroundPurity * 100).toFixed(2)}%  border ${((q.borderPurity ?? 0) * 100).toFixed(2)}%  fill ${q.fillRatio?.toFixed(3)}`
        : "";
    console.log(
      `${file}  ${output.width}x${output.height}  ${output.ms} ms${figures}  kept ${q.keptObjects ?? "?"}${q.subjectTouchesEdge ? "  CUT OFF" : ""}${hold.length ? `  held: ${hold.join(", ")}` : ""}`,
    );
  }
  await writeFile(
    path.join(values.out, "report.json"),
    JSON.stringify(
      { mode, provider, usedPhotos: result.usedPhotos, notes: result.notes, totalMs: Date.now() - started, outputs: report },
      null,
      2,
    ),
  );
  for (const note of result.notes) console.log(`note: ${note}`);
  const model =
    provider === "gemini" ? config.gemini?.model : provider === "openai-compatible" ? config.openaiCompatible?.model : undefined;
  console.log(
    `cost: $${pricePerImageUsd(provider, model, options.size).toFixed(4)} per image (${model ?? provider}, estimated from the model registry)`,
  );
} catch (error) {
  if (error instanceof StudioError) {
    console.error(`${error.code}: ${error.merchantMessage}`);
    process.exit(1);
  }
  throw error;
}

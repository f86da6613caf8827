// Usage: npx tsx scripts/studio.ts white|lifestyle [--provider NAME] [--style TEXT] [--preset NAME]
//        [--size N] [--ratio W:H] [--fill F] [--no-shadow] [--top-view] [--count 2|3] [--format jpeg|png|webp] [--out DIR] PHOTO...
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  defaultProvider,
  generate,
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
  console.error("usage: studio.ts white|lifestyle [options] PHOTO...");
  process.exit(2);
}
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const config = studioConfigFromEnv(studioEnvSchema.parse(process.env));
const provider = (values.provider ?? defaultProvider(config)) as ProviderName;
const options =
  mode === "white"
    ? whiteOptionsSchema.parse({ size: num(values.size), ratio: values.ratio, fill: num(values.fill), shadow: !values["no-shadow"], format: values.format, topView: values["top-view"] ?? false })
    : lifestyleOptionsSchema.parse({ size: num(values.size), ratio: values.ratio, preset: values.preset, style: values.style, count: num(values.count), format: values.format });

try {
  const photos = await Promise.all(photoPaths.map((p) => readFile(p)));
  const started = Date.now();
  const result = await generate(
    { mode, options, photos, provider, product: { title: path.parse(photoPaths[0]!).name }, onProgress: (stage, percent) => process.stderr.write(`\r${stage} ${percent}%   `) },
    config,
  );
  process.stderr.write("\n");
  await mkdir(values.out!, { recursive: true });
  const report = [];
  for (const [i, output] of result.outputs.entries()) {
    const file = path.join(values.out!, `${mode}-${i + 1}${output.composition ? `-${output.composition}` : ""}.${output.format === "jpeg" ? "jpg" : output.format}`);
    await writeFile(file, output.data);
    const { report: q } = output;
    report.push({ path: file, width: output.width, height: output.height, bytes: q.bytes, backgroundPurity: q.backgroundPurity, fillRatio: q.fillRatio, centred: q.centred, fidelity: q.fidelity, fidelityFlag: q.fidelityFlag, repaired: q.repaired, provider: output.provider, prompt: output.prompt, promptVersion: output.promptVersion, composition: output.composition, ms: output.ms, notes: q.notes });
    console.log(`${file}  ${output.width}x${output.height}  ${output.ms} ms${q.backgroundPurity !== undefined ? `  purity ${(q.backgroundPurity * 100).toFixed(2)}%  fill ${q.fillRatio?.toFixed(3)}` : ""}`);
  }
  await writeFile(path.join(values.out!, "report.json"), JSON.stringify({ mode, provider, usedPhotos: result.usedPhotos, notes: result.notes, totalMs: Date.now() - started, outputs: report }, null, 2));
  for (const note of result.notes) console.log(`note: ${note}`);
  const model = provider === "gemini" ? config.gemini?.model : provider === "openai-compatible" ? config.openaiCompatible?.model : undefined;
  console.log(`cost: $${pricePerImageUsd(provider, model, options.size).toFixed(4)} per image (${model ?? provider}, estimated from the model registry)`);
} catch (error) {
  if (error instanceof StudioError) {
    console.error(`${error.code}: ${error.merchantMessage}`);
    process.exit(1);
  }
  throw error;
}

// Renders the preview thumbnail of every lifestyle preset, as the local provider makes it, into
// public/presets/<preset>.webp (served at /presets/<preset>.webp). The new-generation page shows them
// so a merchant sees what a preset looks like before spending a generation on it.
// Usage: npx tsx scripts/preset-previews.ts [demo photo key, default mug-wood]
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { generate, lifestyleOptionsSchema, PRESET_NAMES, studioConfigFromEnv, studioEnvSchema } from "../app/studio/index";
import { ensureDemoPhotos } from "./emulator/photos";

const OUT = path.resolve(import.meta.dirname, "../public/presets");
const key = process.argv[2] ?? "mug-wood";

const photo = (await ensureDemoPhotos()).get(key);
if (!photo) throw new Error(`No demo photo "${key}".`);
const bytes = await readFile(photo.path);
const config = studioConfigFromEnv(studioEnvSchema.parse({}));
await mkdir(OUT, { recursive: true });

for (const preset of PRESET_NAMES) {
  const options = lifestyleOptionsSchema.parse({ preset, count: 2, size: 1000, ratio: "4:5" });
  const result = await generate(
    { mode: "lifestyle", options, photos: [bytes], provider: "local", product: { title: "Stoneware mug" } },
    config,
  );
  const file = path.join(OUT, `${preset}.webp`);
  await sharp(result.outputs[0].data).resize(240, 300).webp({ quality: 78 }).toFile(file);
  console.log(file);
}

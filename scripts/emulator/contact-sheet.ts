// The README's contact sheet: demo photos and what the offline `local` provider makes of them (white
// background with its checker figures; lifestyle in two presets, two compositions each).
//   npx tsx scripts/emulator/contact-sheet.ts [OUTPUT, default docs/contact-sheet.jpg]
import path from "node:path";
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { generate, lifestyleOptionsSchema, whiteOptionsSchema, type PresetName } from "../../app/studio/index";
import { DEMO_PRODUCTS } from "./demo-store";
import { ensureDemoPhotos } from "./photos";

const KEYS = [
  "mug-wood",
  "sneaker-floor",
  "perfume-linen",
  "watch-linen",
  "plant-floor",
  "bag-floor",
  "pasta-top",
  "headphones-wood",
  "candle-marble",
];
const PRESETS: [PresetName, string][] = [
  ["marble-luxury", "Marble luxury"],
  ["rustic-wood", "Rustic wood"],
];
const TILE = 240;
const GAP = 10;
const CAPTION = 26;
const HEADER = 30;

const text = (value: string, width: number, height: number, colour = "#222", weight = "normal") =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${width / 2}" y="${height * 0.68}" font-size="13" font-family="DejaVu Sans, sans-serif" font-weight="${weight}" text-anchor="middle" fill="${colour}">${value}</text></svg>`,
  );

export async function renderContactSheet(output: string): Promise<void> {
  const photos = await ensureDemoPhotos();
  const columns = [
    "Input (phone photo)",
    "White background",
    ...PRESETS.flatMap(([, label]) => [`${label} · in-scene`, `${label} · close-up`]),
  ];
  const width = columns.length * (TILE + GAP) + GAP;
  const height = HEADER + KEYS.length * (TILE + CAPTION + GAP);
  const layers: sharp.OverlayOptions[] = columns.map((label, c) => ({
    input: text(label, TILE + GAP, HEADER, "#222", "bold"),
    left: GAP / 2 + c * (TILE + GAP),
    top: 0,
  }));
  for (const [row, key] of KEYS.entries()) {
    const photo = photos.get(key)!;
    const bytes = await readFile(photo.path);
    const demo = DEMO_PRODUCTS.find((p) => p.photos.some((ph) => ph.key === key));
    const product = { title: demo?.title ?? key, productType: demo?.productType, tags: demo?.tags };
    const top = HEADER + row * (TILE + CAPTION + GAP);
    const tile = (input: Buffer, background = "#f2f2f2") =>
      sharp(input).rotate().resize(TILE, TILE, { fit: "contain", background }).toBuffer();
    const white = (
      await generate({ mode: "white", options: whiteOptionsSchema.parse({ size: 1000 }), photos: [bytes], provider: "local", product }, {})
    ).outputs[0];
    const tiles = [await tile(bytes), await tile(white.data, "#dddddd")];
    for (const [preset] of PRESETS) {
      const result = await generate(
        {
          mode: "lifestyle",
          options: lifestyleOptionsSchema.parse({ preset, count: 2, size: 1000 }),
          photos: [bytes],
          provider: "local",
          product,
        },
        {},
      );
      for (const output of result.outputs) tiles.push(await tile(output.data));
    }
    tiles.forEach((input, c) => layers.push({ input, left: GAP + c * (TILE + GAP), top }));
    const r = white.report;
    const figures = `border ${((r.borderPurity ?? 0) * 100).toFixed(2)}% · fill ${(r.fillRatio ?? 0).toFixed(3)}${r.subjectTouchesEdge ? " · cut off" : ""}`;
    layers.push({ input: text(key, TILE, CAPTION, "#444"), left: GAP, top: top + TILE });
    layers.push({
      input: text(figures, TILE, CAPTION, r.borderPurity === 1 ? "#1a7f37" : "#b42318"),
      left: GAP + TILE + GAP,
      top: top + TILE,
    });
    console.log(`${key}: ${figures}`);
  }
  await sharp({ create: { width, height, channels: 3, background: "#ffffff" } })
    .composite(layers)
    .jpeg({ quality: 82, mozjpeg: true })
    .toFile(output);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const output = process.argv[2] ?? path.resolve(import.meta.dirname, "../../docs/contact-sheet.jpg");
  await renderContactSheet(output);
  console.log(output);
}

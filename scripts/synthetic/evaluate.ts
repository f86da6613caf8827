// Scores the local provider on the synthetic scenes with known true masks, the current engine beside
// the engine before issue 12, in the same run:
//   npx tsx scripts/synthetic/evaluate.ts [--out DIR] [SCENE...]
// Per scene: silhouette IoU against the true mask (alpha >= 128 vs mask >= 128, at working size); then
// each engine's white-background output with and without the default shadow, measured from the file
// alone as an outside checker does (checkWhiteBackground without masks): border purity, fill of all
// non-white pixels; and what the new engine says about the subject. Writes report.json and
// scenes.jpg (each photo beside the new white output) into DIR, docs/studio-samples/synthetic by default.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { checkWhiteBackground } from "../../app/studio/gate";
import { chooseScene } from "../../app/studio/lifestyle";
import { whiteOptionsSchema } from "../../app/studio/options";
import { prepareProduct } from "../../app/studio/product";
import { composeWhite } from "../../app/studio/white";
import { BASELINE_COMMIT, loadBaselineEngine } from "../baseline";
import { makeSyntheticScenes } from "./scenes";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: "string", default: "docs/studio-samples/synthetic" } },
});
const out = values.out;
await mkdir(out, { recursive: true });

const SIZE = 2048;
const shadowed = whiteOptionsSchema.parse({ size: SIZE, format: "jpeg" });
const plain = whiteOptionsSchema.parse({ size: SIZE, format: "jpeg", shadow: false });

/** IoU of the cut-out's solid silhouette, placed back in its frame, against the true mask. */
async function iou(
  cutout: { rgba: { data: Buffer; width: number }; box: { left: number; top: number; width: number; height: number } },
  frame: { width: number; height: number },
  mask: Buffer,
  maskWidth: number,
  maskHeight: number,
): Promise<number> {
  const truth = await sharp(mask, { raw: { width: maskWidth, height: maskHeight, channels: 1 } })
    .resize(frame.width, frame.height, { fit: "fill" })
    .extractChannel(0)
    .raw()
    .toBuffer();
  let inter = 0;
  let union = 0;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const bx = x - cutout.box.left;
      const by = y - cutout.box.top;
      const inside = bx >= 0 && by >= 0 && bx < cutout.box.width && by < cutout.box.height;
      const a = inside && cutout.rgba.data[(by * cutout.rgba.width + bx) * 4 + 3] >= 128;
      const t = truth[y * frame.width + x] >= 128;
      if (a && t) inter++;
      if (a || t) union++;
    }
  }
  return union === 0 ? 1 : inter / union;
}

async function measure(data: Buffer) {
  const r = await checkWhiteBackground(data);
  return {
    borderPurity: round(r.borderPurity ?? 0, 5),
    fillRatio: round(r.fillRatio ?? 0, 4),
    backgroundPurity: round(r.backgroundPurity ?? 0, 5),
    centred: r.centred ?? false,
  };
}
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

const baseline = await loadBaselineEngine();
const scenes = await makeSyntheticScenes(positionals.length ? positionals : undefined);
const rows = [];
// The photo and the new engine's white output (default shadow) of each scene, side by side.
const THUMB = 256;
const thumbs: Buffer[] = [];
for (const scene of scenes) {
  const before = await baseline.prepareProduct((await baseline.loadInputImage(scene.photo)).data, SIZE);
  const beforeIou = await iou(before.cutout, before.image, scene.mask, scene.width, scene.height);
  const beforePlain = await measure((await baseline.composeWhite(before.cutout as never, plain)).data);
  const beforeShadow = await measure((await baseline.composeWhite(before.cutout as never, shadowed)).data);

  const after = await prepareProduct(scene.photo, SIZE, scene.product);
  const frame = { width: after.cutout.sourceWidth, height: after.cutout.sourceHeight };
  const afterIou = await iou(after.cutout, frame, scene.mask, scene.width, scene.height);
  const plainImage = await composeWhite(after.cutout, plain);
  const shadowImage = await composeWhite(after.cutout, shadowed);
  thumbs.push(
    await sharp(scene.photo).resize(THUMB, THUMB, { fit: "contain", background: "#222" }).toBuffer(),
    await sharp(shadowImage.data).resize(THUMB, THUMB).toBuffer(),
  );
  const view = chooseScene(after.cutout, scene.product).view;
  const row = {
    scene: scene.name,
    kind: scene.kind,
    before: { iou: round(beforeIou, 4), noShadow: beforePlain, shadow: beforeShadow },
    after: {
      iou: round(afterIou, 4),
      noShadow: await measure(plainImage.data),
      shadow: await measure(shadowImage.data),
      keptObjects: after.keptObjects,
      droppedObjects: after.droppedObjects,
      subjectUnclear: after.subjectUnclear,
      subjectTouchesEdge: after.cutout.touchedEdges.length > 0,
      view,
    },
    expect: scene.expect,
  };
  rows.push(row);
  const ok = (cond: boolean) => (cond ? "ok" : "MISS");
  console.log(
    `${scene.name.padEnd(28)} IoU ${row.before.iou.toFixed(4)} → ${row.after.iou.toFixed(4)}  border(shadow) ${row.before.shadow.borderPurity.toFixed(4)} → ${row.after.shadow.borderPurity.toFixed(4)}  fill(shadow) ${row.before.shadow.fillRatio.toFixed(3)} → ${row.after.shadow.fillRatio.toFixed(3)}  fill(none) ${row.before.noShadow.fillRatio.toFixed(3)} → ${row.after.noShadow.fillRatio.toFixed(3)}  kept ${row.after.keptObjects} ${ok(row.after.keptObjects === scene.expect.keptObjects)}  edge ${ok(row.after.subjectTouchesEdge === scene.expect.touchesEdge)}  view ${view} ${ok(view === scene.expect.view)}`,
  );
}

const stats = (values: number[]) => ({
  mean: round(values.reduce((a, b) => a + b, 0) / values.length, 4),
  worst: round(Math.min(...values), 4),
});
// Border and fill are judged on whole products: a cut-off product is flush with the frame on purpose.
const whole = rows.filter((r) => !r.expect.touchesEdge);
const summary = {
  scenes: rows.length,
  baselineCommit: BASELINE_COMMIT,
  iou: { before: stats(rows.map((r) => r.before.iou)), after: stats(rows.map((r) => r.after.iou)) },
  borderPureShare: {
    before: {
      shadow: whole.filter((r) => r.before.shadow.borderPurity === 1).length / whole.length,
      noShadow: whole.filter((r) => r.before.noShadow.borderPurity === 1).length / whole.length,
    },
    after: {
      shadow: whole.filter((r) => r.after.shadow.borderPurity === 1).length / whole.length,
      noShadow: whole.filter((r) => r.after.noShadow.borderPurity === 1).length / whole.length,
    },
  },
  fill: {
    before: { shadow: range(whole.map((r) => r.before.shadow.fillRatio)), noShadow: range(whole.map((r) => r.before.noShadow.fillRatio)) },
    after: { shadow: range(whole.map((r) => r.after.shadow.fillRatio)), noShadow: range(whole.map((r) => r.after.noShadow.fillRatio)) },
  },
  subject: {
    keptRight: rows.filter((r) => r.after.keptObjects === r.expect.keptObjects).length,
    edgeRight: rows.filter((r) => r.after.subjectTouchesEdge === r.expect.touchesEdge).length,
    viewRight: rows.filter((r) => r.after.view === r.expect.view).length,
  },
};
function range(values: number[]) {
  return { min: round(Math.min(...values), 4), max: round(Math.max(...values), 4) };
}
console.log(JSON.stringify(summary, null, 2));
await writeFile(path.join(out, "report.json"), `${JSON.stringify({ summary, rows }, null, 2)}\n`);
const columns = 6;
await sharp({ create: { width: columns * THUMB, height: Math.ceil(thumbs.length / columns) * THUMB, channels: 3, background: "#222" } })
  .composite(thumbs.map((input, i) => ({ input, left: (i % columns) * THUMB, top: Math.floor(i / columns) * THUMB })))
  .jpeg({ quality: 80 })
  .toFile(path.join(out, "scenes.jpg"));

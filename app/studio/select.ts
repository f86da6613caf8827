import sharp from "sharp";

export interface PhotoScore {
  index: number;
  sharpness: number;
  megapixels: number;
  score: number;
}

const PROBE_SIDE = 512;

/**
 * Scores photos for how good a source they are: sharpness (variance of the Laplacian on a 512 px
 * grey copy, so blur and heavy compression score low) and resolution, each normalised against the
 * best photo in the set. `fills` (product share of the frame, when known) adds a third term.
 */
export async function scorePhotos(photos: Buffer[], fills?: number[]): Promise<PhotoScore[]> {
  const measured = await Promise.all(
    photos.map(async (photo, index) => {
      const meta = await sharp(photo).metadata();
      return { index, sharpness: await measureSharpness(photo), megapixels: ((meta.width ?? 0) * (meta.height ?? 0)) / 1e6 };
    }),
  );
  const maxSharp = Math.max(1e-9, ...measured.map((m) => m.sharpness));
  const maxMp = Math.max(1e-9, ...measured.map((m) => m.megapixels));
  return measured.map((m) => {
    const fill = fills?.[m.index];
    // Resolution matters less once a photo is big enough for a 2048 px output (about 4 MP).
    const resolution = Math.min(1, m.megapixels / Math.min(maxMp, 4));
    const score = 0.5 * (m.sharpness / maxSharp) + 0.3 * resolution + (fill === undefined ? 0.2 : 0.2 * Math.min(1, fill / 0.6));
    return { ...m, score };
  });
}

/** Indexes of the `count` best photos, best first. */
export async function choosePhotos(photos: Buffer[], count: number, fills?: number[]): Promise<number[]> {
  if (photos.length <= count) return photos.map((_, i) => i);
  const scores = await scorePhotos(photos, fills);
  return scores
    .sort((a, b) => b.score - a.score)
    .slice(0, count)
    .map((s) => s.index);
}

export async function measureSharpness(photo: Buffer): Promise<number> {
  const { data, info } = await sharp(photo)
    .resize(PROBE_SIDE, PROBE_SIDE, { fit: "inside" })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = data[i - 1] + data[i + 1] + data[i - width] + data[i + width] - 4 * data[i];
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

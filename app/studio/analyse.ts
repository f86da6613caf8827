import sharp from "sharp";
import type { StudioConfig } from "./config";

export interface ImageAnalysis {
  source: "vision" | "local";
  labels: string[];
  objects: string[];
  /** Hex colours, most dominant first. */
  colours: string[];
  /** Mean luminance 0-1. */
  brightness: number;
  aspect: number;
  /** Why the richer analysis was not used, for the job's notes. */
  note?: string;
}

const hex = (r: number, g: number, b: number) => `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;

// Analysis only enriches the prompt: a slow or failing Vision must not hold the job for the
// SDK's default 600 s of retries.
const VISION_CALL = { timeout: 15_000, maxRetries: 1 };

/**
 * Cloud Vision labels, objects and colours when configured; otherwise what sharp can tell. A Vision
 * error never fails the job: the local analysis is used and `note` says why.
 */
export async function analyseImage(photo: Buffer, config: StudioConfig): Promise<ImageAnalysis> {
  const local = await analyseLocally(photo);
  if (!config.vision) return local;
  const { ImageAnnotatorClient } = await import("@google-cloud/vision");
  const { apiEndpoint, port, protocol, authClient } = config.vision;
  const client = new ImageAnnotatorClient({
    fallback: true,
    ...(apiEndpoint ? { apiEndpoint } : {}),
    ...(port ? { port } : {}),
    ...(protocol ? { protocol } : {}),
    ...(authClient ? { authClient } : {}),
  });
  try {
    const [batch] = await client.batchAnnotateImages(
      {
        requests: [
          {
            image: { content: photo.toString("base64") },
            features: [
              { type: "LABEL_DETECTION", maxResults: 8 },
              { type: "OBJECT_LOCALIZATION", maxResults: 5 },
              { type: "IMAGE_PROPERTIES" },
            ],
          },
        ],
      },
      VISION_CALL,
    );
    const response = batch.responses?.[0] ?? {};
    // A per-image failure comes back inside a successful answer.
    if (response.error?.message)
      return { ...local, note: `Cloud Vision could not analyse the photo (${response.error.message}); local analysis used` };
    const colours = (response.imagePropertiesAnnotation?.dominantColors?.colors ?? [])
      .slice()
      // Vision's score ranks salience; pixel share alone would put the backdrop first.
      .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
      .map((c) => hex(c.color?.red ?? 0, c.color?.green ?? 0, c.color?.blue ?? 0));
    return {
      ...local,
      source: "vision",
      labels: (response.labelAnnotations ?? []).map((l) => l.description ?? "").filter(Boolean),
      objects: [...new Set((response.localizedObjectAnnotations ?? []).map((o) => o.name ?? "").filter(Boolean))],
      colours: colours.length ? colours.slice(0, 5) : local.colours,
    };
  } catch (error) {
    return { ...local, note: `Cloud Vision unavailable (${describeVisionError(error)}); local analysis used` };
  } finally {
    await client.close().catch(() => undefined);
  }
}

// gax errors carry a gRPC status name in `code` (number) and the API's message; keep it short and secret-free.
function describeVisionError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e.message === "string" ? e.message.split("\n")[0].slice(0, 160) : "unknown error";
  return typeof e.code === "number" ? `code ${e.code}: ${message}` : message;
}

// Colours and brightness need few pixels: the photo is decoded once, shrunk while decoding (JPEG
// shrink-on-load), instead of decoding all 12 MP twice.
const PROBE_SIDE = 256;

export async function analyseLocally(photo: Buffer): Promise<ImageAnalysis> {
  const { data: small, info } = await sharp(photo)
    .resize(PROBE_SIDE, PROBE_SIDE, { fit: "inside" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const probe = () => sharp(small, { raw: { width: info.width, height: info.height, channels: 3 } });
  // A 4×4 thumbnail of the centre (where the product usually is) gives its main colours cheaply.
  const thumb = await probe().resize(64, 64, { fit: "cover" }).raw().toBuffer();
  const { data } = await sharp(thumb, { raw: { width: 64, height: 64, channels: 3 } })
    .extract({ left: 16, top: 16, width: 32, height: 32 })
    .resize(4, 4)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const buckets = new Map<string, number>();
  for (let i = 0; i < data.length; i += 3) {
    const key = hex(
      ...([data[i], data[i + 1], data[i + 2]].map((v) => Math.min(255, Math.round(v / 32) * 32)) as [number, number, number]),
    );
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
  }
  const stats = await probe().greyscale().stats();
  return {
    source: "local",
    labels: [],
    objects: [],
    colours: [...buckets.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k]) => k),
    brightness: (stats.channels[0]?.mean ?? 128) / 255,
    aspect: info.width / info.height,
  };
}

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
}

const hex = (r: number, g: number, b: number) => `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;

/** Cloud Vision labels, objects and colours when configured; otherwise what sharp can tell. */
export async function analyseImage(photo: Buffer, config: StudioConfig): Promise<ImageAnalysis> {
  const local = await analyseLocally(photo);
  if (!config.vision) return local;
  const { ImageAnnotatorClient } = await import("@google-cloud/vision");
  const { vision } = config;
  const client = new ImageAnnotatorClient({
    fallback: true,
    ...(vision.apiEndpoint ? { apiEndpoint: vision.apiEndpoint } : {}),
    ...(vision.port ? { port: vision.port } : {}),
    ...(vision.protocol ? { protocol: vision.protocol } : {}),
    ...(vision.credentials ? { credentials: vision.credentials as { client_email: string; private_key: string } } : {}),
  });
  try {
    const [response] = await client.annotateImage({
      image: { content: photo.toString("base64") },
      features: [{ type: "LABEL_DETECTION", maxResults: 8 }, { type: "OBJECT_LOCALIZATION", maxResults: 5 }, { type: "IMAGE_PROPERTIES" }],
    });
    const colours = (response.imagePropertiesAnnotation?.dominantColors?.colors ?? [])
      .slice()
      .sort((a, b) => (b.pixelFraction ?? 0) - (a.pixelFraction ?? 0))
      .map((c) => hex(c.color?.red ?? 0, c.color?.green ?? 0, c.color?.blue ?? 0));
    return {
      ...local,
      source: "vision",
      labels: (response.labelAnnotations ?? []).map((l) => l.description ?? "").filter(Boolean),
      objects: (response.localizedObjectAnnotations ?? []).map((o) => o.name ?? "").filter(Boolean),
      colours: colours.length ? colours.slice(0, 5) : local.colours,
    };
  } catch {
    // Analysis only enriches the prompt; without it the job still works with the local analysis.
    return local;
  } finally {
    await client.close();
  }
}

export async function analyseLocally(photo: Buffer): Promise<ImageAnalysis> {
  const image = sharp(photo);
  const meta = await image.metadata();
  // A 4×4 thumbnail of the centre (where the product usually is) gives its main colours cheaply.
  const thumb = await sharp(photo).resize(64, 64, { fit: "cover" }).removeAlpha().raw().toBuffer();
  const { data } = await sharp(thumb, { raw: { width: 64, height: 64, channels: 3 } }).extract({ left: 16, top: 16, width: 32, height: 32 }).resize(4, 4).raw().toBuffer({ resolveWithObject: true });
  const buckets = new Map<string, number>();
  for (let i = 0; i < data.length; i += 3) {
    const key = hex(...[data[i]!, data[i + 1]!, data[i + 2]!].map((v) => Math.min(255, Math.round(v / 32) * 32)) as [number, number, number]);
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
  }
  const stats = await sharp(photo).greyscale().stats();
  return {
    source: "local",
    labels: [],
    objects: [],
    colours: [...buckets.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k]) => k),
    brightness: (stats.channels[0]?.mean ?? 128) / 255,
    aspect: (meta.width ?? 1) / (meta.height ?? 1),
  };
}

import { z } from "zod";

export type Mode = "white" | "lifestyle";
export type ProviderName = "local" | "gemini" | "openai-compatible";
export type OutputFormat = "jpeg" | "png" | "webp";

export const RATIOS = ["1:1", "4:5", "3:4", "4:3", "16:9", "9:16", "2:3", "3:2"] as const;
export type Ratio = (typeof RATIOS)[number];

export const PRESET_NAMES = ["minimal-studio", "rustic-wood", "marble-luxury", "cozy-home", "natural-outdoor", "festive"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface WhiteOptions {
  size: number;
  ratio: Ratio;
  fill: number;
  shadow: boolean;
  format: OutputFormat;
  topView: boolean;
}

export interface LifestyleOptions {
  preset: PresetName;
  style: string;
  count: 2 | 3;
  ratio: Ratio;
  size: number;
  format: OutputFormat;
}

const sizeSchema = z.number().int().min(1000).max(4096).default(2048);
const formatSchema = z.enum(["jpeg", "png", "webp"]).default("jpeg");

export const whiteOptionsSchema = z.object({
  size: sizeSchema,
  ratio: z.enum(RATIOS).default("1:1"),
  fill: z.number().min(0.75).max(0.95).default(0.85),
  shadow: z.boolean().default(true),
  format: formatSchema,
  topView: z.boolean().default(false),
});

export const lifestyleOptionsSchema = z.object({
  preset: z.enum(PRESET_NAMES).default("minimal-studio"),
  style: z.string().max(500).default(""),
  count: z.union([z.literal(2), z.literal(3)]).default(3),
  ratio: z.enum(RATIOS).default("4:5"),
  size: sizeSchema,
  format: formatSchema,
});

export const PRESETS: Record<PresetName, { label: string; description: string }> = {
  "minimal-studio": { label: "Minimal studio", description: "Seamless soft-grey paper sweep, soft key light, gentle reflection." },
  "rustic-wood": { label: "Rustic wood", description: "Warm oak table top against a dark warm wall, late-afternoon light." },
  "marble-luxury": { label: "Marble luxury", description: "White veined marble with a subtle reflection, cool and bright." },
  "cozy-home": { label: "Cozy home", description: "Linen cloth on a soft beige interior, warm lamp light." },
  "natural-outdoor": { label: "Natural outdoor light", description: "Sunlit stone ledge with blurred greenery and sky behind." },
  festive: { label: "Festive", description: "Deep red and gold backdrop with warm bokeh lights." },
};

/** Pixel dimensions for a ratio whose longer side is `size`. */
export function frameSize(size: number, ratio: Ratio): { width: number; height: number } {
  const [w, h] = ratio.split(":").map(Number) as [number, number];
  if (w >= h) return { width: size, height: Math.round((size * h) / w) };
  return { width: Math.round((size * w) / h), height: size };
}

import type { SerializeFrom } from "@remix-run/node";
import type { loader } from "./route";

/** What the New page's loader gives its cards. */
export type NewGenerationData = SerializeFrom<typeof loader>;

export type Mode = "white" | "lifestyle";

/** The options a generation is started with, as the generation schema reads them (mode by mode). */
export type GenerationOptions =
  | { size: number; ratio: string; fill: number; shadow: boolean; format: string; topView: boolean }
  | { size: number; ratio: string; format: string; preset: string; style: string; count: number };

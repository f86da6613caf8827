import type { ImageProvider } from "./providers/types";
import type { LifestyleOptions, Mode, OutputFormat, ProviderName, WhiteOptions } from "./options";
import type { QualityReport } from "./report";

export interface ProductContext {
  title: string;
  productType?: string;
  vendor?: string;
  tags?: string[];
  description?: string;
}

export interface StudioOutput {
  data: Buffer;
  format: OutputFormat;
  width: number;
  height: number;
  provider: ProviderName;
  prompt: string | null;
  promptVersion: string;
  report: QualityReport;
  ms: number;
  composition?: string;
}

export interface StudioResult {
  outputs: StudioOutput[];
  /** Indexes into request.photos. */
  usedPhotos: number[];
  notes: string[];
}

export type StudioStage = "analysing" | "generating" | "checking";

export interface StudioRequest {
  mode: Mode;
  options: WhiteOptions | LifestyleOptions;
  /** 1-5 photos, raw bytes as uploaded. */
  photos: Buffer[];
  product: ProductContext;
  provider: ProviderName;
  signal?: AbortSignal;
  onProgress?: (stage: StudioStage, percent: number) => void;
  /** Answers generation requests instead of the configured provider (economy bulk: the batch's answers). */
  imageProvider?: ImageProvider;
}

import type { Mode } from "./options";

export interface QualityReport {
  kind: Mode;
  width: number;
  height: number;
  bytes: number;
  format: string;
  /** Share of background pixels that are exactly 255,255,255 in the encoded file (0-1). */
  backgroundPurity?: number;
  /** max(product width / frame width, product height / frame height); for 1:1 the longer side / side. */
  fillRatio?: number;
  centred?: boolean;
  repaired?: string[];
  fidelity?: number;
  fidelityFlag?: boolean;
  notes: string[];
}

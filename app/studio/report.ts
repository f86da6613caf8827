import type { Mode } from "./options";

export type Edge = "top" | "right" | "bottom" | "left";

/**
 * What the gates measured on one output. White-background figures are measured on the encoded file
 * the way an outside checker measures it: every pixel that is not exactly #FFFFFF counts.
 * Pure module (no image code): the job page imports it too.
 */
export interface QualityReport {
  kind: Mode;
  width: number;
  height: number;
  bytes: number;
  format: string;
  /** Share of background pixels (neither product nor its shadow) that are exactly 255,255,255 (0-1). */
  backgroundPurity?: number;
  /** Share of the border band (BORDER_SHARE of the side, on all four edges) that is exactly #FFFFFF. */
  borderPurity?: number;
  /** Box of all non-white pixels (product and shadow): max(its width / frame width, its height / frame height). */
  fillRatio?: number;
  /** The fill that was asked for. */
  fillTarget?: number;
  /** The non-white box's centre within 2% of the frame's centre. */
  centred?: boolean;
  /** The product runs into the photo's edge: the photo cut it off. */
  subjectTouchesEdge?: boolean;
  touchedEdges?: Edge[];
  /** Objects kept as the product (2 for a pair of shoes) and objects left out (props, tags). */
  keptObjects?: number;
  droppedObjects?: number;
  /** Another object was nearly as likely to be the product. */
  subjectUnclear?: boolean;
  /** The source photo's own size, and the product's longer side in it, px. */
  sourceWidth?: number;
  sourceHeight?: number;
  productSourcePx?: number;
  /** How much the product was enlarged from the source to the output. */
  upscale?: number;
  repaired?: string[];
  fidelity?: number;
  fidelityFlag?: boolean;
  notes: string[];
}

/** The border band a checker reads, as a share of each side. */
export const BORDER_SHARE = 0.04;
/** Below this share of exactly-white background pixels an image is not pure white. */
export const PURITY_REQUIRED = 0.999;
export const FILL_TOLERANCE = 0.02;
/** A product enlarged more than this, or smaller than MIN_PRODUCT_PX in its photo, looks soft when zoomed. */
export const MAX_UPSCALE = 2;
export const MIN_PRODUCT_PX = 1000;

export type HoldReason =
  | "background-not-white"
  | "border-not-white"
  | "fill-off-target"
  | "not-centred"
  | "subject-cut-off"
  | "subject-unclear"
  | "low-resolution"
  | "product-changed";

/**
 * Why an output must wait for the merchant's review instead of being published automatically; empty
 * when it may be auto-published. The one place that decides it, for every provider and mode.
 */
export function holdReasons(report: QualityReport, mode: Mode): HoldReason[] {
  const reasons: HoldReason[] = [];
  const cut = report.subjectTouchesEdge === true;
  if (mode === "white") {
    if ((report.backgroundPurity ?? 0) < PURITY_REQUIRED) reasons.push("background-not-white");
    // A cut-off product is placed flush with the frame on purpose: its border, fill and centring
    // follow from the cut, which is the reason given.
    if (!cut) {
      if ((report.borderPurity ?? 0) < 1) reasons.push("border-not-white");
      if (report.fillRatio === undefined || Math.abs(report.fillRatio - (report.fillTarget ?? 0.85)) > FILL_TOLERANCE)
        reasons.push("fill-off-target");
      if (report.centred !== true) reasons.push("not-centred");
    }
  }
  if (cut) reasons.push("subject-cut-off");
  if (report.subjectUnclear) reasons.push("subject-unclear");
  if ((report.upscale ?? 1) > MAX_UPSCALE || (report.productSourcePx !== undefined && report.productSourcePx < MIN_PRODUCT_PX))
    reasons.push("low-resolution");
  if (report.fidelityFlag) reasons.push("product-changed");
  return reasons;
}

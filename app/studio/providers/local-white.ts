import type { Cutout } from "../cutout";
import { checkWhiteBackground } from "../gate";
import type { WhiteOptions } from "../options";
import type { QualityReport } from "../report";
import { composeWhite } from "../white";

/** The local white-background render: the cut-out on pure white, then measured by the gate. */
export async function renderLocalWhite(
  cutout: Cutout,
  options: WhiteOptions,
): Promise<{ data: Buffer; width: number; height: number; report: QualityReport }> {
  const composed = await composeWhite(cutout, options);
  const report = await checkWhiteBackground(composed.data, { product: composed.productMask, shadow: composed.shadowMask });
  return { data: composed.data, width: composed.width, height: composed.height, report };
}

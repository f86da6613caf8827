import { STATUS_CODES, type ServerResponse } from "node:http";
import { sendJson } from "./http";
import type { EmulatorState, LostAnswer } from "./state";

/**
 * Answers that never reach the app although their request ran on "Shopify": the connection is cut
 * after the mutation took effect (or a gateway answers 5xx instead of the result). This is the fault
 * that exactly-once code has to survive: the app cannot tell from the failure whether anything happened.
 */
export function loseNextAnswers(
  state: EmulatorState,
  shop: string,
  rootField: string,
  opts: { count?: number; status?: number } = {},
): void {
  state.lostAnswers.push({ shop, rootField, remaining: opts.count ?? 1, status: opts.status });
}

/** Takes the lost answer queued for a request that touched `rootFields`, if any. */
export function takeLostAnswer(state: EmulatorState, shop: string, rootFields: string[]): LostAnswer | undefined {
  const index = state.lostAnswers.findIndex((lost) => lost.shop === shop && rootFields.includes(lost.rootField));
  if (index < 0) return undefined;
  const lost = state.lostAnswers[index];
  lost.remaining -= 1;
  if (lost.remaining <= 0) state.lostAnswers.splice(index, 1);
  return lost;
}

export function sendLostAnswer(res: ServerResponse, lost: LostAnswer): void {
  if (lost.status) return sendJson(res, lost.status, { errors: STATUS_CODES[lost.status] ?? "Error" });
  res.socket?.destroy();
}

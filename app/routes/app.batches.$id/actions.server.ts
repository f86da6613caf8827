import { cancelRest, retryFailed } from "~/models/batches.server";

// The batch page's intents, one function each; route.tsx's action picks one by the form's `intent`.
// Each answers how many of the batch's jobs it changed, or null when the shop has no such batch.

export interface IntentContext {
  shop: string;
  /** The batch's id, from the URL. */
  id: string;
}

/** Queues the batch's failed and cancelled jobs again; refused (CapReachedError) when they would pass the monthly cap. */
export async function retry({ shop, id }: IntentContext) {
  return retryFailed(shop, id);
}

/** Cancels the batch's jobs that have not finished. */
export async function cancel({ shop, id }: IntentContext) {
  return cancelRest(shop, id);
}

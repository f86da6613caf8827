import type { TypedResponse } from "@remix-run/node";
import { refuse } from "~/infra/forms.server";
import { cancelJob, retryJob } from "~/models/jobs.server";
import { reconcilePublishing, rejectOutputs, requestPublish, requestRestore } from "~/models/publishing.server";
import { regenerateJob } from "~/models/generation.server";

// The job page's intents, one function each; route.tsx's action picks one by the form's `intent`.

export interface IntentContext {
  shop: string;
  /** The job's id, checked to be this shop's before any intent runs. */
  id: string;
  form: FormData;
  /** authenticate.admin's redirect, which keeps the embedded app's context. */
  redirect: (url: string) => TypedResponse<never>;
}

const outputIdsOf = (form: FormData) => form.getAll("outputId").map(String);

export async function publish({ shop, id, form }: IntentContext) {
  return { ok: (await requestPublish(shop, id, outputIdsOf(form))) > 0 };
}

export async function restore({ shop, id, form }: IntentContext) {
  return { ok: (await requestRestore(shop, id, outputIdsOf(form))) > 0 };
}

export async function reject({ shop, id, form }: IntentContext) {
  return { ok: (await rejectOutputs(shop, id, outputIdsOf(form))) > 0 };
}

/** Looks again at outputs stuck publishing or removing (their queue entry may have been lost). */
export async function recheck({ shop, id }: IntentContext) {
  await reconcilePublishing({ shop, jobId: id });
  return { ok: true };
}

export async function retry({ shop, id }: IntentContext) {
  return { ok: Boolean(await retryJob(shop, id)) };
}

export async function cancel({ shop, id }: IntentContext) {
  return { ok: await cancelJob(shop, id) };
}

/** Another try from the same photos with some options changed: a new job, on its own page. */
export async function regenerate({ shop, id, form, redirect }: IntentContext) {
  let changes: unknown;
  try {
    const options = form.get("options");
    changes = JSON.parse(typeof options === "string" ? options : "{}");
  } catch {
    return refuse({ options: { code: "OPTIONS_NOT_JSON" } });
  }
  const result = await regenerateJob(shop, id, changes);
  if ("errors" in result) return refuse(result.errors, result.status);
  return redirect(`/app/jobs/${result.job.id}`);
}

import { json, type TypedResponse } from "@remix-run/node";
import type { Session } from "@shopify/shopify-api";
import { parseUploadForm } from "~/infra/request-body.server";
import { parseGenerationForm, startGeneration } from "~/models/generation.server";
import { GENERATION_UPLOAD } from "~/models/uploads.server";

/** The page's one intent: photos and options in, the new job's page out (or the reasons it was refused). */
export async function generate(request: Request, session: Session, redirect: (url: string) => TypedResponse<never>) {
  let upload;
  try {
    upload = await parseUploadForm(request, GENERATION_UPLOAD);
  } catch (refusal) {
    // Returned, not thrown: the page shows the reason beside the photos.
    if (refusal instanceof Response) return refusal;
    throw refusal;
  }
  try {
    const parsed = parseGenerationForm(upload.form);
    if ("errors" in parsed) return json({ errors: parsed.errors }, { status: 400 });
    const result = await startGeneration(session, parsed.data);
    if ("errors" in result) return json({ errors: result.errors }, { status: result.status });
    return redirect(`/app/jobs/${result.jobs[0].id}`);
  } finally {
    // Stored uploads have been copied into storage by now; the temporary files can go.
    await upload.cleanup();
  }
}

import type { TypedResponse } from "@remix-run/node";
import type { Session } from "@shopify/shopify-api";
import { refuse } from "~/infra/forms.server";
import { parseUploadForm } from "~/infra/request-body.server";
import { parseGenerationForm, startGeneration } from "~/models/generation.server";
import { GENERATION_UPLOAD } from "~/models/uploads.server";

// The New page's one intent: start a generation from the chosen product photos and uploads, then open
// its job page. The body is read within the upload limits (a refusal is answered, with its message
// code, beside the photos), the form is checked by the generation model's schema, and the uploads'
// temporary files are removed whatever happens.

export async function generate({
  request,
  session,
  redirect,
}: {
  request: Request;
  session: Session;
  /** authenticate.admin's redirect, which keeps the embedded app's context. */
  redirect: (url: string) => TypedResponse<never>;
}) {
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
    if ("errors" in parsed) return refuse(parsed.errors);
    const result = await startGeneration(session, parsed.data);
    if ("errors" in result) return refuse(result.errors, result.status);
    return redirect(`/app/jobs/${result.jobs[0].id}`);
  } finally {
    // Stored uploads have been copied into storage by now; the temporary files can go.
    await upload.cleanup();
  }
}

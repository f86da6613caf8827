import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { extensionRequestSchema, MAX_SELECTION, startGeneration } from "~/models/generation.server";
import { getSettings } from "~/models/settings.server";
import { readJson } from "~/infra/request-body.server";
import { parseValue } from "~/infra/forms.server";
import { localeOf, render, type FieldErrors } from "~/i18n/index";

// The admin extensions' endpoint (product-page action and bulk action). authenticate.admin checks the
// Bearer session token and answers the CORS preflight; the response carries the CORS headers via cors().

/** A bulk selection of MAX_SELECTION product ids (about 40 bytes each in JSON), and no more. */
const SELECTION_BODY_LIMIT = MAX_SELECTION * 40 + 1024;

/** The extensions' modal presets the shop's default mode from this. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { session, cors } = await authenticate.admin(request);
  const settings = await getSettings(session.shop);
  return cors(json({ defaultMode: settings.defaultMode }));
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, cors } = await authenticate.admin(request);
  // The extensions show the app's messages as they are: rendered here, in the language the admin asked for.
  const locale = localeOf(request);
  const refuse = (errors: FieldErrors, status: number) =>
    cors(
      json({ errors: Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, render(locale, message)])) }, { status }),
    );
  let body: unknown;
  try {
    body = await readJson(request, SELECTION_BODY_LIMIT);
  } catch (refusal) {
    if (refusal instanceof Response) {
      const { errors } = (await refusal.json()) as { errors: FieldErrors };
      return refuse(errors, refusal.status);
    }
    throw refusal;
  }
  const parsed = parseValue(body, extensionRequestSchema);
  if ("errors" in parsed) return refuse(parsed.errors, 400);
  const settings = await getSettings(session.shop);
  const mode = parsed.data.mode ?? (settings.defaultMode as "white" | "lifestyle");
  const result = await startGeneration(session, { productIds: parsed.data.productIds, mode });
  if ("errors" in result) return refuse(result.errors, result.status);
  return cors(
    json({
      batchId: result.batchId,
      jobs: result.jobs.map((job) => ({ ...job, url: `/app/jobs/${job.id}` })),
      // Products already in an unfinished job of this mode were not added again (they are among `jobs`).
      alreadyRunning: result.alreadyRunning ?? 0,
      queueDelayed: result.queueDelayed ?? false,
    }),
  );
}

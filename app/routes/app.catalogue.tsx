import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { adminApiForSession } from "~/models/admin.server";
import { cachedCoverage, listCollections, selectProducts, type CatalogueSelection } from "~/models/catalogue.server";
import { resolveSpec, startBatch } from "~/models/generation.server";
import { AdminApiError } from "~/shopify/errors";
import { readForm } from "~/infra/request-body.server";
import { formError, issue, parseValue, refuse } from "~/infra/forms.server";
import { logger } from "~/infra/logger.server";

// The home page's catalogue card (app/components/CatalogueCard.tsx) loads and posts here: coverage and the
// collections on GET, a batch for a selection of any size on POST. Both read the catalogue with bulk
// operations, so they answer in seconds for a small store and in a minute or so for a large one.

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const api = adminApiForSession(session);
  try {
    const [coverage, collections] = await Promise.all([cachedCoverage(api, { signal: request.signal }), listCollections(api)]);
    return json({ coverage, collections });
  } catch (error) {
    if (!(error instanceof AdminApiError)) throw error;
    logger.warn({ err: error, shop: session.shop }, "catalogue could not be read");
    return json({ errors: formError("CATALOGUE_UNAVAILABLE") }, { status: 502 });
  }
}

const selectionSchema = z.discriminatedUnion(
  "selection",
  [
    z.object({ selection: z.literal("all") }),
    z.object({ selection: z.literal("noncompliant") }),
    z.object({
      selection: z.literal("collection"),
      collectionId: z.string(issue("COLLECTION_REQUIRED")).regex(/^gid:\/\/shopify\/Collection\/\d+$/, issue("COLLECTION_REQUIRED")),
    }),
  ],
  { error: issue("SELECTION_REQUIRED") },
);

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = await readForm(request);
  const parsed = parseValue({ selection: form.get("selection"), collectionId: form.get("collectionId") ?? undefined }, selectionSchema);
  const mode = form.get("mode") === "lifestyle" ? "lifestyle" : "white";
  if ("errors" in parsed) return refuse(parsed.errors);
  const selection: CatalogueSelection =
    parsed.data.selection === "collection"
      ? { kind: "collection", collectionId: parsed.data.collectionId }
      : { kind: parsed.data.selection };

  const resolved = await resolveSpec(session.shop, { mode });
  if ("errors" in resolved) return json({ errors: resolved.errors }, { status: resolved.status });
  let products;
  try {
    products = await selectProducts(adminApiForSession(session), selection, { signal: request.signal });
  } catch (error) {
    if (!(error instanceof AdminApiError)) throw error;
    logger.warn({ err: error, shop: session.shop }, "catalogue could not be read");
    return refuse(formError("CATALOGUE_UNAVAILABLE"), 502);
  }
  if (products.length === 0) return json({ ok: true as const, batchId: null, added: 0, alreadyRunning: 0, queueDelayed: false });
  const result = await startBatch(session.shop, products, resolved.spec);
  if ("errors" in result) return json({ errors: result.errors }, { status: result.status });
  const alreadyRunning = result.alreadyRunning ?? 0;
  return json({
    ok: true as const,
    batchId: result.batchId,
    added: result.jobs.length - alreadyRunning,
    alreadyRunning,
    queueDelayed: result.queueDelayed ?? false,
  });
}

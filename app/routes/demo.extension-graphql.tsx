import { json, type ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { requireDemoMode } from "~/demo/demo.server";
import { readJson } from "~/infra/request-body.server";

// Direct API access for the demo's extension host: in the admin, `shopify.query` runs with the app's
// scopes; here the extension's session token is checked and the query goes through the app's client.
export async function action({ request }: ActionFunctionArgs) {
  requireDemoMode();
  const { admin } = await authenticate.admin(request);
  const body = (await readJson(request)) as { query?: unknown; variables?: unknown } | null;
  if (typeof body?.query !== "string") return json({ errors: [{ message: "Send { query, variables }." }] }, { status: 400 });
  const response = await admin.graphql(body.query, { variables: (body.variables as Record<string, unknown>) ?? {} });
  return json(await response.json());
}

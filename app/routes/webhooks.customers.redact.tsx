import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";

// No customer data is stored, so there is nothing to erase; the request is verified and acknowledged.
export async function action({ request }: ActionFunctionArgs) {
  await authenticate.webhook(request);
  return new Response();
}

import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";

// The app stores no customer data (only products' photos and the shop's settings), so there is
// nothing to report; the request is verified and acknowledged.
export async function action({ request }: ActionFunctionArgs) {
  await authenticate.webhook(request);
  return new Response();
}

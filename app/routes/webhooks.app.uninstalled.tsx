import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { eraseShopData } from "~/models/shops.server";

// The shop removed the app: its tokens are useless and the app may not keep its images, so everything
// the app holds for it goes now (rows and stored files), as shop/redact does again 48 hours later.
// Images already on the shop's products are Shopify's and stay. Safe to receive twice.
export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await authenticate.webhook(request);
  await eraseShopData(shop);
  return new Response();
}

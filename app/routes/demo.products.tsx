import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { requireDemoMode } from "~/demo/demo.server";
import { adminApiForSession } from "~/models/admin.server";
import { listProductsForPicker } from "~/models/products.server";

// What the demo resource picker lists: the store's products, read through the Admin API like any page.
export async function loader({ request }: LoaderFunctionArgs) {
  requireDemoMode();
  const { session } = await authenticate.admin(request);
  const products = await listProductsForPicker(adminApiForSession(session), { first: 50 });
  return json({ products });
}

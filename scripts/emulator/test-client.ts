import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import type { Emulator } from "./index";

/** A bare GraphQL call, as the app's fetch makes it, for the emulator's own tests. */
export async function postGraphql(
  emulator: Emulator,
  shop: string,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.origin}/${shop}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import type { Emulator } from "./index";

/**
 * A bare GraphQL call, as the app's fetch makes it, for the emulator's own tests. The answer is JSON that
 * the tests read by path, one document's shape each; the app's own documents are typed by the codegen.
 */
export async function postGraphql(
  emulator: Emulator,
  shop: string,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by path, as above
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.origin}/${shop}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

/** The merchant's click on the emulator's approval page: Approve or Decline; the redirect is not followed. */
export async function answerCharge(confirmationUrl: string, decision: "approve" | "decline"): Promise<Response> {
  return fetch(confirmationUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ decision }),
    redirect: "manual",
  });
}

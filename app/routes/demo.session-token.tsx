import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { requireDemoMode, signDemoSessionToken } from "~/demo/demo.server";

export async function loader({ request }: LoaderFunctionArgs) {
  requireDemoMode();
  const shop = new URL(request.url).searchParams.get("shop") ?? "";
  const token = signDemoSessionToken(shop);
  if (!token) return json({ error: "Unknown demo shop" }, { status: 400 });
  return json({ token, expiresIn: 60 }, { headers: { "cache-control": "no-store" } });
}

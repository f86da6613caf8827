import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { env } from "~/infra/env.server";

// Outside the admin there is nothing to show here: the admin opens /app with the shop's parameters.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  if (env.DEMO_MODE) throw redirect("/demo");
  return new Response("This is an embedded Shopify app: open it from your Shopify admin (Apps → Photo studio).", {
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

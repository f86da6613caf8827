import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { prisma } from "~/infra/db.server";

export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload } = await authenticate.webhook(request);
  const current = (payload as { current?: string[] }).current;
  if (Array.isArray(current)) {
    await prisma.session.updateMany({ where: { shop }, data: { scope: current.join(",") } });
  }
  return new Response();
}

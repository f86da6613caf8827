import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { prisma } from "~/db.server";

// The shop's tokens are useless now: drop its sessions. Jobs and images stay until shop/redact
// (48 hours later) so a quick reinstall loses nothing. Safe to receive twice.
export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await authenticate.webhook(request);
  await prisma.session.deleteMany({ where: { shop } });
  return new Response();
}

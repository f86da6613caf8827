import type { LoaderFunctionArgs } from "@remix-run/node";
import { openFile, verifyFileUrl } from "~/storage.server";

// Serves a stored image to an <img> tag: the URL itself is the credential (HMAC-signed, for a fixed
// window, made only by loaders that authenticated the shop the key belongs to). The body is streamed
// from storage, and the browser may keep it for as long as the link is valid, never longer.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const key = params["*"] ?? "";
  const url = new URL(request.url);
  const signed = verifyFileUrl(key, url.searchParams);
  if (!signed) return new Response("Link expired or invalid", { status: 403 });
  const file = await openFile(key, signed.variant).catch(() => null);
  if (!file) return new Response("Not found", { status: 404 });
  const remaining = Math.max(0, signed.expires - Math.floor(Date.now() / 1000));
  const headers = new Headers({
    "content-type": file.type,
    "content-length": String(file.bytes),
    // A stored file never changes under its key, so within the link's life there is nothing to revalidate.
    "cache-control": `private, max-age=${remaining}, immutable`,
    "x-content-type-options": "nosniff",
  });
  if (url.searchParams.get("download")) headers.set("content-disposition", `attachment; filename="${key.split("/").pop()}"`);
  return new Response(file.body, { headers });
}

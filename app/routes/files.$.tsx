import type { LoaderFunctionArgs } from "@remix-run/node";
import { fileName, openFile, verifyFileUrl } from "~/infra/storage.server";
import { logger } from "~/infra/logger.server";

// Serves a stored image to an <img> tag: the URL itself is the credential (HMAC-signed, for a fixed
// window, made only by loaders that authenticated the shop the key belongs to). From disk the body is
// streamed; from object storage the answer is a redirect to a presigned URL of the store, signed for the
// same window, so the bytes go from the store to the browser directly. Either way the browser may keep
// the answer for as long as the link is valid, never longer.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const key = params["*"] ?? "";
  const url = new URL(request.url);
  const signed = verifyFileUrl(key, url.searchParams);
  if (!signed) return new Response("Link expired or invalid", { status: 403 });
  const download = Boolean(url.searchParams.get("download"));
  let file;
  try {
    file = await openFile(key, signed.variant, { expires: signed.expires, download });
  } catch (error) {
    // The store did not answer (or refused): worth a retry, unlike a file that is not there.
    logger.warn({ key, reason: (error as Error).message }, "[files] could not read a stored file");
    return new Response("Storage unavailable", { status: 503, headers: { "retry-after": "5" } });
  }
  if (!file) return new Response("Not found", { status: 404 });
  // Rounded down: a cached copy must never outlive the link, even by a fraction of a second.
  const remaining = Math.max(0, Math.floor(signed.expires - Date.now() / 1000));
  // A stored file never changes under its key, so within the link's life there is nothing to revalidate.
  const cacheControl = `private, max-age=${remaining}, immutable`;
  if ("redirect" in file) {
    return new Response(null, { status: 302, headers: { location: file.redirect, "cache-control": cacheControl } });
  }
  const headers = new Headers({
    "content-type": file.type,
    "content-length": String(file.bytes),
    "cache-control": cacheControl,
    "x-content-type-options": "nosniff",
  });
  if (download) headers.set("content-disposition", `attachment; filename="${fileName(key)}"`);
  return new Response(file.body, { headers });
}

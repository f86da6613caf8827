import type { LoaderFunctionArgs } from "@remix-run/node";
import { loadFile, verifyFileSignature } from "~/storage.server";

const TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };

// Serves a stored image to an <img> tag: the URL itself is the credential (HMAC-signed, short-lived,
// made only by loaders that authenticated the shop the key belongs to).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const key = params["*"] ?? "";
  const url = new URL(request.url);
  if (!verifyFileSignature(key, url.searchParams.get("expires"), url.searchParams.get("signature"))) {
    return new Response("Link expired or invalid", { status: 403 });
  }
  try {
    const data = await loadFile(key);
    const ext = key.split(".").pop()?.toLowerCase() ?? "";
    const headers = new Headers({
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "cache-control": "private, max-age=3600",
      "x-content-type-options": "nosniff",
    });
    if (url.searchParams.get("download")) headers.set("content-disposition", `attachment; filename="${key.split("/").pop()}"`);
    return new Response(new Uint8Array(data), { headers });
  } catch {
    return new Response("Not found", { status: 404 });
  }
}

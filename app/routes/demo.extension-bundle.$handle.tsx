import { readFile } from "node:fs/promises";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { extensionPath, isDemoExtension, requireDemoMode } from "~/demo/demo.server";

// The extension's bundle exactly as `shopify app build` made it (npm run build:extensions).
export async function loader({ params }: LoaderFunctionArgs) {
  requireDemoMode();
  if (!isDemoExtension(params.handle)) throw new Response("Not found", { status: 404 });
  const bundle = await readFile(extensionPath(params.handle, "dist", `${params.handle}.js`), "utf8").catch(() => null);
  if (bundle === null) {
    return new Response(`console.error("The ${params.handle} extension is not built: run npm run build:extensions")`, {
      status: 503,
      headers: { "content-type": "text/javascript; charset=utf-8" },
    });
  }
  return new Response(bundle.replace(/\n\/\/# sourceMappingURL=.*$/, ""), {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" },
  });
}

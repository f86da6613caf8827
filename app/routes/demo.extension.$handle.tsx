import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  DEMO_EXTENSIONS,
  DEMO_SHOP,
  demoAppQuery,
  escapeHtml,
  extensionMessages,
  inlineJson,
  isDemoExtension,
  requireDemoMode,
} from "~/demo/demo.server";

// The page the demo admin opens in its modal for an action extension: the built bundle with the
// stand-in host (app/demo/ui-extensions-standin.js). ?selected= holds the product ids, comma-separated.
export async function loader({ request, params }: LoaderFunctionArgs) {
  requireDemoMode();
  if (!isDemoExtension(params.handle)) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const locale = url.searchParams.get("locale") ?? "en";
  const selected = (url.searchParams.get("selected") ?? "").split(",").filter((id) => /^gid:\/\/shopify\/Product\/\d+$/.test(id));
  const config = {
    target: DEMO_EXTENSIONS[params.handle],
    shop: DEMO_SHOP,
    selected,
    locale,
    messages: extensionMessages(params.handle, locale),
    appQuery: demoAppQuery(locale),
  };
  const html = `<!doctype html>
<html lang="${escapeHtml(locale.startsWith("zh") ? "zh-Hant-TW" : "en")}">
<head><meta charset="utf-8"><title>${escapeHtml(params.handle)}</title>
<style>html,body{margin:0;background:#fff}</style></head>
<body>
<script>window.__EXTENSION__ = ${inlineJson(config)};</script>
<script src="/demo/ui-extensions.js"></script>
<script src="/demo/extension-bundle/${escapeHtml(params.handle)}"></script>
</body>
</html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

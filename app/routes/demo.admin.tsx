import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { DEMO_SHOP, escapeHtml, extensionMessages, inlineJson, requireDemoMode } from "~/demo/demo.server";

// The demo admin's product list, where the app's product-page action and bulk action are opened
// (app/demo/admin-standin.js). A stand-in for the Shopify admin, in demo mode only.

const TEXTS = {
  en: {
    admin: "Demo admin",
    products: "Products",
    product: "Product",
    actions: "Actions",
    app: "Photo studio app",
    selectAll: "Select all products",
    select: "Select {title}",
    selected: "{count} selected",
    loading: "Loading products…",
    failed: "The products could not be loaded",
  },
  "zh-TW": {
    admin: "示範後台",
    products: "商品",
    product: "商品",
    actions: "動作",
    app: "商品攝影棚應用程式",
    selectAll: "選取所有商品",
    select: "選取 {title}",
    selected: "已選取 {count} 項",
    loading: "正在載入商品…",
    failed: "無法載入商品",
  },
};

export async function loader({ request }: LoaderFunctionArgs) {
  requireDemoMode();
  const url = new URL(request.url);
  if (url.searchParams.get("shop") !== DEMO_SHOP) {
    url.searchParams.set("shop", DEMO_SHOP);
    throw redirect(url.pathname + url.search);
  }
  const locale = (url.searchParams.get("locale") ?? "en").toLowerCase().startsWith("zh") ? "zh-TW" : "en";
  const texts = TEXTS[locale];
  const extensionName = (handle: "product-action" | "bulk-action") => {
    const name = extensionMessages(handle, locale).name;
    return typeof name === "string" ? name : handle;
  };
  const config = {
    locale,
    texts,
    extensionNames: { "product-action": extensionName("product-action"), "bulk-action": extensionName("bulk-action") },
  };
  const html = `<!doctype html>
<html lang="${locale === "zh-TW" ? "zh-Hant-TW" : "en"}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(texts.products)} · ${escapeHtml(texts.admin)}</title>
<style>
body{margin:0;background:#f1f1f1;color:#303030;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Noto Sans TC",sans-serif}
header{display:flex;gap:16px;align-items:center;padding:10px 20px;background:#1a1a1a;color:#fff}
header a{color:#fff}.badge{padding:2px 8px;border-radius:6px;background:#ffd79d;color:#4f2b00;font-weight:600}
main{max-width:980px;margin:0 auto;padding:20px}h1{font-size:20px;margin:8px 0 16px}
.card{background:#fff;border-radius:12px;box-shadow:0 1px 0 rgba(0,0,0,.08),0 0 0 1px rgba(0,0,0,.06);overflow:hidden}
table{width:100%;border-collapse:collapse}th,td{padding:8px 12px;text-align:left;border-bottom:1px solid #ebebeb}
th{font-weight:550;background:#f7f7f7}td img{display:block;border-radius:6px;object-fit:cover;background:#eee}
td.title{font-weight:550;width:100%}td.actions{white-space:nowrap}
button{font:inherit;padding:5px 12px;border-radius:8px;border:1px solid #c9c9c9;background:#fff;cursor:pointer}
button.primary{background:#303030;color:#fff;border-color:#303030}button:focus-visible,input:focus-visible{outline:2px solid #005bd3;outline-offset:2px}
.bulk{display:flex;gap:12px;align-items:center;padding:10px 12px;margin-bottom:12px;background:#fff;border-radius:12px}.bulk[hidden]{display:none}
.overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:10}
.dialog{background:#fff;border-radius:12px;width:min(520px,92vw);height:min(440px,86vh);overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.3)}
.frame{border:0;width:100%;height:100%}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
</style>
</head>
<body>
<header><span class="badge">${escapeHtml(texts.admin)} · ${DEMO_SHOP}</span><a href="/demo/admin?locale=${locale}">${escapeHtml(texts.products)}</a><a href="/demo?locale=${locale}">${escapeHtml(texts.app)}</a></header>
<main id="admin" aria-live="polite"></main>
<script>window.__DEMO_ADMIN__ = ${inlineJson(config)};</script>
<script src="/demo/app-bridge.js"></script>
<script src="/demo/admin.js"></script>
</body>
</html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

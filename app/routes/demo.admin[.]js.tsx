import { requireDemoMode } from "~/demo/demo.server";
import script from "~/demo/admin-standin.js?raw";

export async function loader() {
  requireDemoMode();
  return new Response(script, {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" },
  });
}

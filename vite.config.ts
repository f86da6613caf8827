import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

const port = Number(process.env.PORT || 3000);

// Under `shopify app dev` the CLI gives the tunnel's URL as HOST (older CLIs) or SHOPIFY_APP_URL, and
// forwards the tunnel's /ping (shopify.web.toml's hmr_server) to FRONTEND_PORT: Vite's HMR socket listens
// there, and the browser inside the admin reaches it through the tunnel on 443.
if (process.env.HOST && (!process.env.SHOPIFY_APP_URL || process.env.SHOPIFY_APP_URL === process.env.HOST)) {
  process.env.SHOPIFY_APP_URL = process.env.HOST;
  delete process.env.HOST;
}
const appHost = new URL(process.env.SHOPIFY_APP_URL || "http://localhost").hostname;
const hmr =
  appHost === "localhost"
    ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 }
    : { protocol: "wss", host: appHost, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 };

export default defineConfig({
  server: { port, host: "127.0.0.1", allowedHosts: [appHost], hmr, fs: { allow: ["app", "node_modules"] } },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});

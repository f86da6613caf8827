import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { call } from "./app";

// The app's webhook routes behind a real HTTP port, for the emulator to deliver to as Shopify does
// (signed, one POST per topic to the toml's uri): each request becomes a Fetch Request for the route
// file that handles its path (/webhooks/products/create → routes/webhooks.products.create).

type Route = { action: Parameters<typeof call>[0] };
const ROUTES: Record<string, () => Promise<Route>> = {
  "/webhooks/products/create": () => import("~/routes/webhooks.products.create"),
  "/webhooks/products/update": () => import("~/routes/webhooks.products.update"),
  "/webhooks/app_subscriptions/update": () => import("~/routes/webhooks.app_subscriptions.update"),
  "/webhooks/app/uninstalled": () => import("~/routes/webhooks.app.uninstalled"),
};

export interface WebhookReceiver {
  url: string;
  /** What each delivery was answered. */
  answers: { path: string; status: number }[];
  /**
   * Waits until every request that arrived has been handled. The emulator's settleWebhooks() is not
   * enough on its own: a delivery it gave up on (its 30 s timeout, a busy event loop) may still be
   * running in the app.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const answers: WebhookReceiver["answers"] = [];
  const handling = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handled: Promise<void> = (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const body = await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const load = ROUTES[path];
      if (!load) {
        answers.push({ path, status: 404 });
        res.writeHead(404).end();
        return;
      }
      const route = await load();
      const response = await call(
        route.action,
        new Request(`http://localhost:3000${path}`, { method: "POST", headers, body: new Uint8Array(body) }),
      );
      answers.push({ path, status: response.status });
      res.writeHead(response.status).end();
    })()
      .catch((error: Error) => {
        answers.push({ path: req.url ?? "", status: 500 });
        console.warn("[webhook-receiver]", error.message);
        res.writeHead(500).end();
      })
      .finally(() => handling.delete(handled));
    handling.add(handled);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    settle: async () => {
      while (handling.size > 0) await Promise.all([...handling]);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

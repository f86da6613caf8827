import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext, type HandleErrorFunction } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { env } from "./infra/env.server";
import { logger } from "./infra/logger.server";

export const streamTimeout = 5000;

/**
 * Errors thrown by loaders and actions, as one JSON line (Remix would print them with console.error).
 * The path only: an embedded app's query string carries the session token (`id_token`).
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "[web] request failed");
};

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  // With a local App Bridge (demo mode) the preload of Shopify's CDN script would only fail.
  if (env.APP_BRIDGE_URL) responseHeaders.delete("Link");
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        logger.error({ err: error, path: new URL(request.url).pathname }, "[web] rendering failed");
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}

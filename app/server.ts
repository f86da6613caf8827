// The production web server (`npm start`): the built Remix app behind Express, as remix-serve serves it
// (compression, the hashed build assets cached for a year, public/ for an hour), with one difference that
// is the reason this file exists: each request is logged through the app's logger as a JSON line with its
// path and never its query string. Embedded pages are opened with `?id_token=…&shop=…&host=…`, and
// remix-serve's access lines (morgan "tiny") printed that session token in plain text on stdout.
//
// Node runs this file as it is (type stripping), so it uses only erasable TypeScript.
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { logger } from "./infra/logger.server.ts";

process.env.NODE_ENV ??= "production";

/** One access line per request: method, path without the query, status and time; never a header or body. */
export function accessLog(request: Request, response: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  response.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info({ method: request.method, path: request.path, status: response.statusCode, ms: Math.round(ms) }, "request");
  });
  next();
}

async function main(): Promise<void> {
  const buildPath = path.resolve(process.argv[2] ?? "build/server/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST;

  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  // The build names its assets' folder relative to the project it was built in (build/client), two levels
  // above the server build: found from there, not from the working directory, which may be any.
  const projectRoot = path.resolve(path.dirname(buildPath), "..", "..");
  app.use(build.publicPath, express.static(path.resolve(projectRoot, build.assetsBuildDirectory), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(projectRoot, "public"), { maxAge: "1h" }));
  app.use(accessLog);
  const handle = createRequestHandler({ build, mode: process.env.NODE_ENV });
  // Express 4 ignores the promise a handler returns; an error the Remix handler throws goes to next().
  app.all("*", (request, response, next) => {
    handle(request, response, next).catch(next);
  });

  const server = host ? app.listen(port, host) : app.listen(port);
  server.once("listening", () => logger.info({ port, host: host ?? "all interfaces" }, "web server listening"));
  // On SIGTERM, stop accepting connections, let requests in flight finish, and close idle keep-alive
  // connections at once (an orchestrator's grace period is not spent waiting for browsers to hang up).
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close((error) => {
        if (error) logger.error({ err: error }, "web server did not close cleanly");
      });
      server.closeIdleConnections();
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();

// The web app's production build and its admin extensions' bundles, made again only when their sources
// changed since the last build: what the stack's web processes serve (scripts/stack/launch.ts).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = path.join(dir, entry);
      // What the builds write (the extensions' bundles, types and manifests) is not a source: hashed, the
      // stamp written after a first build would never match, and the next stack would build again.
      if (entry === "generated" || entry === "dist" || entry === "shopify.d.ts" || entry === "manifest.json") continue;
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(full).update(readFileSync(full));
    }
  };
  walk(path.join(root, "app"));
  walk(path.join(root, "public"));
  for (const extension of ["product-action", "bulk-action", "shared"]) walk(path.join(root, "extensions", extension));
  hash.update(readFileSync(path.join(root, "vite.config.ts")));
  hash.update(readFileSync(path.join(root, "package-lock.json")));
  return hash.digest("hex");
}

async function run(command: string, args: string[]) {
  await new Promise<void>((resolve, reject) => {
    // A production build whatever the caller runs under (vitest sets NODE_ENV=test, which would bundle
    // React's development build): the browser tests test what merchants get.
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

/** Builds the web app unless the last build was made from the same sources. */
export async function buildIfStale(log: (message: string) => void) {
  const stampFile = path.join(root, "build", ".source-hash");
  const hash = sourceHash();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) return;
  log("Building the app and its admin extensions (first run or changed sources)…");
  await run("npx", ["remix", "vite:build", "--logLevel", "warn"]);
  // The demo admin opens the extensions' real bundles.
  await run("bash", ["scripts/build-extensions.sh"]);
  writeFileSync(stampFile, hash);
}

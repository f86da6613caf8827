#!/usr/bin/env bash
# Builds the admin UI extensions (extensions/*) with the project's own Shopify CLI, offline and without a
# Shopify login: `shopify app build` needs only shopify.app.toml (a placeholder client_id is enough).
# Bundles land in extensions/<handle>/dist/<handle>.js; the CLI also writes each extension's shopify.d.ts
# (the types of the `shopify` global for its target), which the extensions' tsconfig.json files include.
# Installs nothing: the CLI, Preact and @shopify/ui-extensions are devDependencies (npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

die() { printf '[extensions] %s\n' "$*" >&2; exit "${2:-1}"; }

# The CLI needs Node >= 22; scripts/run.sh keeps Node 24 in .tools/ when the system one is older.
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ] && [ -x .tools/node_modules/.bin/node ]; then
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
  major=$(node -p 'process.versions.node.split(".")[0]')
fi
[ "$major" -ge 22 ] || die "The Shopify CLI needs Node >= 22 (found $(node -v 2>/dev/null || echo none)); run 'npm run setup'."

CLI=node_modules/.bin/shopify
# Exit code 3 tells test/extensions.test.ts that the CLI is absent rather than broken.
[ -x "$CLI" ] || die "The Shopify CLI is not installed ($CLI): run 'npm ci' (it is a devDependency)." 3
[ -f shopify.app.toml ] || die "shopify.app.toml is missing at $ROOT: the CLI builds extensions only inside an app."

# Keep the CLI's config, cache and logs inside the project's temp, not in the user's home. CI=1 makes it
# non-interactive and turns off its self-upgrade (which would otherwise run npm install on the project).
state="$ROOT/tmp/shopify-cli"
mkdir -p "$state"
export XDG_CONFIG_HOME="$state/config" XDG_CACHE_HOME="$state/cache" XDG_DATA_HOME="$state/data" XDG_STATE_HOME="$state/state"
export CI=1 SHOPIFY_CLI_NO_ANALYTICS=1
# Minified production bundles, as `shopify app deploy` makes them, whatever NODE_ENV the caller has (tests: "test").
export NODE_ENV=production

rm -rf extensions/*/dist
exec "$CLI" app build --path "$ROOT" --skip-dependencies-installation "$@"

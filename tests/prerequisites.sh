#!/usr/bin/env bash
# Installs and starts what the test suite needs beyond the .NET SDK, only when it is missing: PostgreSQL (started for
# the run), Chromium (checked to run headless), Node.js with npm and the openai npm package. Sourced by tests/run.sh;
# each need is one function so the list reads as the inventory. Everything comes from Debian packages (apt) and, for
# the npm packages, the committed lock file. Redis and nginx (Debian's) for the cluster tests: Redis started for the run,
# nginx started by the three-instance test itself in front of its servers.

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install the Debian packages: $*" >&2
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no apt-get to install the Debian packages: $*" >&2
    return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || { echo "apt-get update failed" >&2; return 1; }
    apt_updated=1
  fi
  # A package's maintainer scripts must not start services (postgresql would start a system cluster on 5432 that
  # nothing stops): policy-rc.d answering 101 forbids it for the length of the install, unless one is already there.
  local policy=/usr/sbin/policy-rc.d placed=0 status=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && placed=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
  [ "$placed" -eq 1 ] && rm -f "$policy"
  [ "$status" -eq 0 ] || echo "apt-get install $* failed (exit $status)" >&2
  return "$status"
}

# PostgreSQL for the audit sink's tests: a throwaway cluster on 127.0.0.1, exported to the tests as
# VOICEBRIDGE_TEST_POSTGRES and removed by stop_test_prerequisites. An already set VOICEBRIDGE_TEST_POSTGRES is used as is.
postgres_bin=""
postgres_base=""

find_postgres_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  return 1
}

free_port() {
  local port
  for port in $(seq "${1:-55432}" "${2:-55532}"); do
    # A refused connection means nothing listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

ensure_postgres() {
  [ -n "${VOICEBRIDGE_TEST_POSTGRES:-}" ] && return 0
  postgres_bin=$(find_postgres_bin) || { apt_install postgresql && postgres_bin=$(find_postgres_bin); } || return 1
  local port password as=()
  port=$(free_port) || return 1
  password="vb-$RANDOM$RANDOM"
  # fsync=off: the tests check the sink's rows and chain, not PostgreSQL's own durability; it keeps them fast.
  # Under /tmp so the postgres user can reach it whatever the checkout's permissions; PostgreSQL refuses to run as root.
  # UTF8 with the C locale whatever LANG says: initdb takes its locale from the environment and stops ("invalid locale
  # settings") when LANG names one the machine has not generated (en_US.UTF-8 forwarded by ssh to a fresh Debian).
  postgres_base=$(mktemp -d /tmp/voicebridge-pg.XXXXXX) || return 1
  echo "$password" > "$postgres_base/pw"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$postgres_base"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$postgres_bin/initdb" -D "$postgres_base/data" -U voicebridge --pwfile="$postgres_base/pw" \
    --encoding=UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >"$postgres_base/initdb.log" 2>&1 || { cat "$postgres_base/initdb.log" >&2; return 1; }
  "${as[@]}" "$postgres_bin/pg_ctl" -D "$postgres_base/data" -l "$postgres_base/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $postgres_base -c fsync=off" start >/dev/null || { cat "$postgres_base/server.log" >&2; return 1; }
  PGPASSWORD="$password" "$postgres_bin/createdb" -h 127.0.0.1 -p "$port" -U voicebridge voicebridge_test || return 1
  export VOICEBRIDGE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=voicebridge;Password=$password;Database=voicebridge_test"
  echo "PostgreSQL $("$postgres_bin/postgres" --version | awk '{print $3}') for the tests on 127.0.0.1:$port"
}

stop_postgres() {
  [ -n "$postgres_base" ] || return 0
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$postgres_bin/pg_ctl" -D "$postgres_base/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$postgres_base"
  postgres_base=""
}

# Redis for the cluster tests (shared nonces, the live-call directory, control routing, the SignalR backplane): a
# throwaway server on 127.0.0.1, no persistence, exported as VOICEBRIDGE_TEST_REDIS (host:port); tests that stop and
# restart a Redis of their own take the binary from VOICEBRIDGE_TEST_REDIS_SERVER. Stopped by stop_test_prerequisites.
redis_base=""
redis_port=""

ensure_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server || return 1
  fi
  export VOICEBRIDGE_TEST_REDIS_SERVER
  VOICEBRIDGE_TEST_REDIS_SERVER=$(command -v redis-server)
  [ -n "${VOICEBRIDGE_TEST_REDIS:-}" ] && return 0
  redis_port=$(free_port 56379 56479) || return 1
  redis_base=$(mktemp -d /tmp/voicebridge-redis.XXXXXX) || return 1
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --dir "$redis_base" --pidfile "$redis_base/redis.pid" --logfile "$redis_base/redis.log" >/dev/null || { cat "$redis_base/redis.log" >&2; return 1; }
  local tries
  for tries in $(seq 1 100); do
    [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = "PONG" ] && break
    [ "$tries" -eq 100 ] && { echo "redis-server did not answer PING on 127.0.0.1:$redis_port" >&2; cat "$redis_base/redis.log" >&2; return 1; }
    sleep 0.1
  done
  export VOICEBRIDGE_TEST_REDIS="127.0.0.1:$redis_port"
  echo "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') for the tests on 127.0.0.1:$redis_port"
}

stop_redis() {
  [ -n "$redis_base" ] || return 0
  redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$redis_base/redis.pid" 2>/dev/null)" 2>/dev/null
  rm -rf "$redis_base"
  redis_base=""
}

# nginx as the load balancer in front of the three-instance test's servers (the stand-in for a Kubernetes Service and
# ingress). Only the binary: the test writes its own configuration and starts and stops nginx itself; the package's
# own service is never started (policy-rc.d during the install). Exported as VOICEBRIDGE_TEST_NGINX.
ensure_nginx() {
  local nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -x "$nginx" ]; then
    apt_install nginx || return 1
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
  fi
  "$nginx" -v >/dev/null 2>&1 || { echo "$nginx does not run" >&2; return 1; }
  export VOICEBRIDGE_TEST_NGINX="$nginx"
}

# Debian's chromium for the demo page's real-browser test (Playwright drives it through ExecutablePath; Playwright's
# own browser downloads are never used). Present is not enough: it must start headless as this user and render a page,
# with the flags the test passes (--no-sandbox: root has no user namespace sandbox).
chromium_path=/usr/bin/chromium

chromium_renders() {
  local out
  out=$(timeout 90 "$chromium_path" --headless --no-sandbox --disable-gpu --dump-dom \
    'data:text/html,<p id="vb">voicebridge-headless-ok</p>' 2>"${TMPDIR:-/tmp}/voicebridge-chromium.$$.log")
  if [[ "$out" == *voicebridge-headless-ok* ]]; then
    rm -f "${TMPDIR:-/tmp}/voicebridge-chromium.$$.log"
    return 0
  fi
  echo "chromium did not render a page headless; its last output:" >&2
  tail -n 5 "${TMPDIR:-/tmp}/voicebridge-chromium.$$.log" >&2
  rm -f "${TMPDIR:-/tmp}/voicebridge-chromium.$$.log"
  return 1
}

ensure_chromium() {
  if [ ! -x "$chromium_path" ]; then
    apt_install chromium || return 1
  fi
  chromium_renders && return 0
  # A chromium whose libraries or fonts went missing: reinstalling pulls its dependencies again.
  apt_install --reinstall chromium fonts-liberation && chromium_renders
}

# Node.js 18 or later with npm, and the official openai npm package for the Node SDK end-to-end test, installed from
# the committed lock file.
node_is_recent() {
  command -v node >/dev/null 2>&1 && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'
}

ensure_node_sdk_packages() {
  local project
  project="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/VoiceBridge.EndToEnd.Tests/node-sdk"
  if ! node_is_recent || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm || return 1
    node_is_recent || { echo "node $(node --version 2>/dev/null) is older than 18" >&2; return 1; }
  fi
  [ -d "$project/node_modules/openai" ] && return 0
  (cd "$project" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { echo "npm ci in $project failed" >&2; return 1; }
}

# Each need in turn. Under CI=true a need that cannot be had is fatal: the caller stops before running any test and
# says which. Elsewhere it is a warning, and the tests that need it are skipped with the reason.
test_prerequisites_missing=()

ensure_test_prerequisites() {
  test_prerequisites_missing=()
  ensure_postgres || test_prerequisites_missing+=("PostgreSQL (Debian package postgresql) for the Postgres audit sink tests")
  ensure_redis || test_prerequisites_missing+=("Redis (Debian package redis-server) for the cluster tests")
  ensure_nginx || test_prerequisites_missing+=("nginx (Debian package nginx) as the load balancer of the three-instance test")
  ensure_chromium || test_prerequisites_missing+=("Chromium running headless (Debian package chromium) for the demo page's browser test")
  ensure_node_sdk_packages || test_prerequisites_missing+=("Node.js 18+ with npm (Debian packages nodejs, npm) and the openai npm package for the Node SDK test")
  [ "${#test_prerequisites_missing[@]}" -eq 0 ] && return 0
  local need
  if [ "${CI:-}" = "true" ]; then
    for need in "${test_prerequisites_missing[@]}"; do echo "error: cannot have $need" >&2; done
    return 1
  fi
  for need in "${test_prerequisites_missing[@]}"; do echo "warning: no $need; those tests will be skipped" >&2; done
  return 0
}

# tests/run.sh calls this on exit: stops what ensure_test_prerequisites started (the PostgreSQL cluster, Redis; the
# packages it installed stay, as nothing of theirs runs).
stop_test_prerequisites() {
  stop_postgres
  stop_redis
}

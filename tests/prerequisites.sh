#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only when it is missing.
# Sourced by tests/run.sh; each need is one function so the list reads as the inventory.

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install: $*" >&2
    return 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
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
  for port in $(seq 55432 55532); do
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
  postgres_base=$(mktemp -d /tmp/voicebridge-pg.XXXXXX) || return 1
  echo "$password" > "$postgres_base/pw"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$postgres_base"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$postgres_bin/initdb" -D "$postgres_base/data" -U voicebridge --pwfile="$postgres_base/pw" \
    --auth-local=trust --auth-host=scram-sha-256 >"$postgres_base/initdb.log" 2>&1 || { cat "$postgres_base/initdb.log" >&2; return 1; }
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

# Debian's chromium for the demo page's real-browser test (Playwright drives it through ExecutablePath; Playwright's
# own browser downloads are never used).
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
}

# The official openai npm package for the Node SDK end-to-end test, installed from the committed lock file.
ensure_node_sdk_packages() {
  local project
  project="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/VoiceBridge.EndToEnd.Tests/node-sdk"
  [ -d "$project/node_modules/openai" ] && return 0
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm || return 1
  (cd "$project" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

ensure_test_prerequisites() {
  # Not fatal: without it only the PostgreSQL audit tests fail (CI=true) or are skipped with the reason.
  ensure_postgres || echo "warning: no PostgreSQL for the tests; the Postgres audit sink tests will not run" >&2
  ensure_chromium || echo "warning: no chromium; the demo page's browser test will not run" >&2
  ensure_node_sdk_packages || echo "warning: no openai npm package; the Node SDK test will not run" >&2
  return 0
}

# tests/run.sh calls this on exit: stops what ensure_test_prerequisites started.
stop_test_prerequisites() {
  stop_postgres
}

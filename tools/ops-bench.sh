#!/usr/bin/env bash
# The operations dashboard's benchmark: what the dashboard costs the bridge under load, and what its viewers get.
#
#   tools/ops-bench.sh [CALLS=500] [VIEWERS=50] [DURATION_S=60] [RAMP_S=20]
#
# Three runs of `voicebridge load` (CALLS simulated Twilio calls, the simulator upstream hosted by the load tool), each
# against a freshly started Release bridge: the dashboard off (Ops__Enabled=false), on with nobody watching, and on with
# VIEWERS viewers connected by `voicebridge watch` (the official .NET SignalR client; each logs in like the page and
# opens one live call). The bridge's CPU comes from /proc/<pid> over the load tool's hold window; the viewers measure
# bytes per viewer and update latency (a change on the bridge → the viewer read it; one machine, one clock).
# Environment: BRIDGE_PORT (18084), SIM_PORT (18085), OUT (TestResults/ops-bench-<time>). Linux only. The load tool,
# the viewers and the bridge share the machine: run it on a quiet one (each report shows the load average).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
calls="${1:-500}"; viewers="${2:-50}"; duration="${3:-60}"; ramp="${4:-20}"
bridge_port="${BRIDGE_PORT:-18084}"; sim_port="${SIM_PORT:-18085}"
out="${OUT:-$root/TestResults/ops-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "building Release..." >&2
[ "${NO_BUILD:-0}" = 1 ] || dotnet build -c Release src/VoiceBridge.Server -v quiet -nologo >&2
[ "${NO_BUILD:-0}" = 1 ] || dotnet build -c Release src/VoiceBridge.Cli -v quiet -nologo >&2
cli=(dotnet src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll)
token="ops-bench-auth-token"
key="ops-bench-operator-key-$(date +%s%N)"
signing_key="$(head -c 32 /dev/urandom | base64)"

# The bridge's average cores over the hold window, from a load report (the "bridge" block comes before "loadTool").
cores() { awk '/"bridge": \{/ { inside = 1 } inside && /"averageCores"/ { gsub(/[",]/, "", $2); print $2; exit }' "$1"; }

run() {
  local mode="$1" enabled="$2" watchers="$3"
  echo "== $mode: dashboard enabled=$enabled, $watchers viewer(s); $(uptime)" >&2
  ASPNETCORE_ENVIRONMENT=Production \
  ASPNETCORE_URLS="http://127.0.0.1:$bridge_port" \
  Twilio__AuthToken="$token" \
  Upstream__Endpoint="ws://127.0.0.1:$sim_port/v1/realtime" \
  Upstream__ApiKey="load-test-not-a-key" \
  Audit__Directory="$out/audit-$mode" \
  Audit__AdminKeys="$key" \
  Audit__SigningKey="$signing_key" \
  Ops__Enabled="$enabled" \
  Session__RateLimit__Enabled=false \
  Logging__LogLevel__Default=Warning \
    dotnet src/VoiceBridge.Server/bin/Release/net10.0/VoiceBridge.Server.dll >"$out/bridge-$mode.log" 2>&1 &
  local bridge_pid=$!
  # Warm-up (JIT, pools), as tools/load.sh does.
  "${cli[@]}" load --url "http://127.0.0.1:$bridge_port" --auth-token "$token" --calls 50 --duration 10 --ramp 2 \
    --host-simulator "$sim_port" >"$out/warmup-$mode.txt" 2>&1 || echo "warm-up of $mode was not clean" >&2
  local watch_pid=""
  if [ "$watchers" -gt 0 ]; then
    "${cli[@]}" watch --url "http://127.0.0.1:$bridge_port" --key "$key" --viewers "$watchers" \
      --warmup "$((ramp + 8))" --duration "$((duration - 10))" --json "$out/watch.json" >"$out/watch.txt" 2>&1 &
    watch_pid=$!
  fi
  local status=0
  "${cli[@]}" load --url "http://127.0.0.1:$bridge_port" --auth-token "$token" \
    --calls "$calls" --duration "$duration" --ramp "$ramp" --bridge-pid "$bridge_pid" --host-simulator "$sim_port" \
    --json "$out/load-$mode.json" >"$out/load-$mode.txt" 2>&1 || status=$?
  if [ -n "$watch_pid" ]; then
    wait "$watch_pid" || echo "watch of $mode ended with $?" >&2
  fi
  kill "$bridge_pid" 2>/dev/null; wait "$bridge_pid" 2>/dev/null || true
  echo "   load exit $status; bridge CPU $(cores "$out/load-$mode.json") cores; $(uptime)" >&2
}

run off false 0
run idle true 0
run viewers true "$viewers"

off=$(cores "$out/load-off.json"); idle=$(cores "$out/load-idle.json"); on=$(cores "$out/load-viewers.json")
echo
echo "bridge CPU (average cores over the hold window, $calls calls): dashboard off $off, on with no viewer $idle, on with $viewers viewers $on"
awk -v off="$off" -v idle="$idle" -v on="$on" 'BEGIN { printf "added by the dashboard: %+.1f %% with no viewer, %+.1f %% with viewers (%+.3f cores)\n", (idle / off - 1) * 100, (on / off - 1) * 100, on - off }'
cat "$out/watch.txt"
echo "reports: $out (load-*.json/txt, watch.json/txt, bridge-*.log)"

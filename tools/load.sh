#!/usr/bin/env bash
# The capacity measurement in one command: builds Release, starts the bridge as its own process (its upstream the
# simulator that the load tool hosts on loopback), runs `voicebridge load` against it and prints the table.
#
#   tools/load.sh [CALLS=500] [DURATION_S=60] [RAMP_S=20]
#
# Environment: BRIDGE_PORT (18084), SIM_PORT (18085), OUT (TestResults/load-<time>: load.json, load.html, bridge.log),
# NICE (unset; e.g. -10 as root runs the bridge and the load tool ahead of other work on a shared machine),
# WARMUP (1; 0 skips the 10 s warm-up run before the measured one).
# Linux only (CPU and memory come from /proc). Run it on a quiet machine: the table shows the load average.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
calls="${1:-500}"; duration="${2:-60}"; ramp="${3:-20}"
bridge_port="${BRIDGE_PORT:-18084}"; sim_port="${SIM_PORT:-18085}"
out="${OUT:-$root/TestResults/load-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

# Each call holds two sockets in the bridge and two in the load tool.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "building Release..." >&2
dotnet build -c Release src/VoiceBridge.Server -v quiet -nologo >&2
dotnet build -c Release src/VoiceBridge.Cli -v quiet -nologo >&2

run=()
[ -n "${NICE:-}" ] && run=(nice -n "$NICE")
token="load-test-auth-token"
# Production settings except the per-IP rate limit (every simulated call comes from 127.0.0.1, which a real
# deployment would never see), logs at Warning (one line per call start and end at Information is noise at this scale).
ASPNETCORE_ENVIRONMENT=Production \
ASPNETCORE_URLS="http://127.0.0.1:$bridge_port" \
Twilio__AuthToken="$token" \
Upstream__Endpoint="ws://127.0.0.1:$sim_port/v1/realtime" \
Upstream__ApiKey="load-test-not-a-key" \
Audit__Directory="$out/audit" \
Session__RateLimit__Enabled=false \
Logging__LogLevel__Default=Warning \
  "${run[@]}" dotnet src/VoiceBridge.Server/bin/Release/net10.0/VoiceBridge.Server.dll >"$out/bridge.log" 2>&1 &
bridge_pid=$!
trap 'kill "$bridge_pid" 2>/dev/null; wait "$bridge_pid" 2>/dev/null || true' EXIT

echo "bridge pid $bridge_pid on :$bridge_port; $(uptime)" >&2
# Warm-up: a short run first, so the measured window sees a warm bridge (JIT done, pools sized) and its memory
# baseline is taken on it: the per-call figures are then what one more call costs, not the first call's start-up.
if [ "${WARMUP:-1}" != 0 ]; then
  echo "warm-up: 50 calls for 10 s..." >&2
  "${run[@]}" dotnet src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll load \
    --url "http://127.0.0.1:$bridge_port" --auth-token "$token" --calls 50 --duration 10 --ramp 2 \
    --host-simulator "$sim_port" >"$out/warmup.txt" 2>&1 || echo "warm-up run was not clean (see $out/warmup.txt)" >&2
fi

status=0
"${run[@]}" dotnet src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll load \
  --url "http://127.0.0.1:$bridge_port" --auth-token "$token" \
  --calls "$calls" --duration "$duration" --ramp "$ramp" \
  --bridge-pid "$bridge_pid" --host-simulator "$sim_port" \
  --json "$out/load.json" --html "$out/load.html" || status=$?
echo "after: $(uptime)" >&2
echo "report: $out/load.json, $out/load.html; bridge log: $out/bridge.log" >&2
exit "$status"

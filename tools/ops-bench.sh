#!/usr/bin/env bash
# The operations dashboard's benchmark: what the dashboard costs the bridge under load, and what its viewers get.
#
#   tools/ops-bench.sh [CALLS=500] [VIEWERS=50] [DURATION_S=60] [RAMP_S=20]
#
# Three runs of `voicebridge load` (CALLS simulated Twilio calls, the simulator upstream hosted by the load tool), each
# against a freshly started Release bridge (started as tools/load.sh starts it, tools/lib.sh): the dashboard off
# (Ops__Enabled=false), on with nobody watching, and on with VIEWERS viewers connected by `voicebridge watch` (the
# official .NET SignalR client; each logs in like the page and opens one live call). The bridge's CPU comes from
# /proc/<pid> over the load tool's hold window; the viewers measure bytes per viewer and update latency (a change on
# the bridge → the viewer read it; one machine, one clock).
# Environment: BRIDGE_PORT (18084), SIM_PORT (18085), OUT (TestResults/ops-bench-<time>), NICE, NO_BUILD=1, as
# tools/load.sh. Linux only. The load tool, the viewers and the bridge share the machine: run it on a quiet one (each
# report shows the load average).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source "$root/tools/lib.sh"
calls="${1:-500}"; viewers="${2:-50}"; duration="${3:-60}"; ramp="${4:-20}"
bridge_port="${BRIDGE_PORT:-18084}"; sim_port="${SIM_PORT:-18085}"
out="${OUT:-$root/TestResults/ops-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

[ "${NO_BUILD:-0}" = 1 ] || vb_build
vb_priority
bridge_pid=""
trap '[ -n "$bridge_pid" ] && vb_stop "$bridge_pid"; vb_restore_priority' EXIT
key="ops-bench-operator-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# The bridge's average cores over the hold window, from a load report (the "bridge" block comes before "loadTool").
cores() { awk '/"bridge": \{/ { inside = 1 } inside && /"averageCores"/ { gsub(/[",]/, "", $2); print $2; exit }' "$1"; }

run() {
  local mode="$1" enabled="$2" watchers="$3"
  echo "== $mode: dashboard enabled=$enabled, $watchers viewer(s); $(uptime)" >&2
  vb_start_bridge "$bridge_port" "$sim_port" "$out/bridge-$mode.log" Audit__AdminKeys="$key" Ops__Enabled="$enabled"
  bridge_pid=$vb_pid
  vb_wait_healthy "http://127.0.0.1:$bridge_port" 60
  vb_warmup "http://127.0.0.1:$bridge_port" "$sim_port" "$out/warmup-$mode.txt"
  local watch_pid=""
  if [ "$watchers" -gt 0 ]; then
    # Connected through the ramp, measured over the hold window.
    "${run[@]}" dotnet "$vb_cli" watch --url "http://127.0.0.1:$bridge_port" --key "$key" --viewers "$watchers" \
      --warmup "$((ramp + 5))" --duration "$((duration - 8))" --json "$out/watch.json" >"$out/watch.txt" 2>&1 &
    watch_pid=$!
  fi
  local status=0
  vb_load "http://127.0.0.1:$bridge_port" "$sim_port" --calls "$calls" --duration "$duration" --ramp "$ramp" \
    --bridge-pid "$bridge_pid" --json "$out/load-$mode.json" >"$out/load-$mode.txt" 2>&1 || status=$?
  if [ -n "$watch_pid" ]; then
    wait "$watch_pid" || echo "watch of $mode ended with $?" >&2
  fi
  vb_stop "$bridge_pid"; bridge_pid=""
  echo "   load exit $status; bridge CPU $(cores "$out/load-$mode.json") cores; $(uptime)" >&2
}

run off false 0
run idle true 0
run viewers true "$viewers"

off=$(cores "$out/load-off.json"); idle=$(cores "$out/load-idle.json"); on=$(cores "$out/load-viewers.json")
echo
for mode in off idle viewers; do
  echo "$mode: $(grep -m1 -i 'calls held\|held' "$out/load-$mode.txt" || true)"
done
echo "bridge CPU (average cores over the hold window, $calls calls): dashboard off $off, on with no viewer $idle, on with $viewers viewers $on"
awk -v off="$off" -v idle="$idle" -v on="$on" 'BEGIN { printf "added by the dashboard: %+.1f %% with no viewer, %+.1f %% with viewers (%+.3f cores)\n", (idle / off - 1) * 100, (on / off - 1) * 100, on - off }'
cat "$out/watch.txt"
"${run[@]}" dotnet "$vb_cli" compare off="$out/load-off.json" idle="$out/load-idle.json" viewers="$out/load-viewers.json" || true
echo "reports: $out (load-*.json/txt, watch.json/txt, bridge-*.log)"

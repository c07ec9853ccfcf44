#!/usr/bin/env bash
# Ours beside the floor and beside Twilio's Node sample, under the same load, one after the other in one run, in one
# table (issue 15, "How it is measured"):
#   ours   the bridge (Release, Production defaults: transcoding, audit, recording, telemetry all on), as tools/load.sh
#   floor  `voicebridge floor`: Kestrel WebSocket in, ClientWebSocket out, bytes relayed unparsed (what the platform
#          itself costs to carry the same calls), with the bridge's runtime settings
#   node   Twilio's Node sample, started by the run.sh in the folder given with --node-sample (it installs its npm
#          packages itself); skipped when no folder is given
# Each gets its own process, its own warm-up (50 calls × 10 s) and then the measured run; the load tool hosts the
# simulator each one calls (Realtime for ours and the Node sample, Twilio framing for the floor) and times every
# frame across it. CPU, memory and context switches are the contender's process only.
#
#   tools/compare.sh [--node-sample DIR] [CALLS=100] [DURATION_S=30] [RAMP_S=20]
#
# Environment: OUT (TestResults/compare-<time>), NICE (as in tools/load.sh), WARMUP (1), PORT_BASE (18090: each
# contender uses two ports from there), ONLY (e.g. "ours floor": a subset, in that order).
# Prints the table and writes it to $OUT/compare.txt; each run's table, JSON and HTML and each contender's log are
# beside it. Read the load average row: a run whose load average rose well above the others' was disturbed by
# other work on the machine; run again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"

node_sample=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --node-sample) node_sample=$(cd "$2" && pwd); shift 2;;
    -h|--help) sed -n '2,21p' "$0"; exit 0;;
    *) args+=("$1"); shift;;
  esac
done
calls="${args[0]:-100}"; duration="${args[1]:-30}"; ramp="${args[2]:-20}"
out="${OUT:-$root/TestResults/compare-$(date +%Y%m%d-%H%M%S)}"
port_base="${PORT_BASE:-18090}"
mkdir -p "$out"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ -n "$node_sample" ] && [ ! -x "$node_sample/run.sh" ] && [ ! -f "$node_sample/run.sh" ]; then
  echo "--node-sample $node_sample has no run.sh" >&2; exit 2
fi
contenders="${ONLY:-ours floor${node_sample:+ node}}"

vb_build
vb_priority
pid=
trap '[ -n "$pid" ] && vb_stop "$pid"; vb_restore_priority' EXIT

reports=()
status=0
index=0
for name in $contenders; do
  port=$((port_base + 2 * index)); sim_port=$((port + 1)); index=$((index + 1))
  url="http://127.0.0.1:$port"
  extra=()
  case "$name" in
    ours)
      vb_start_bridge "$port" "$sim_port" "$out/ours.log"
      pid=$vb_pid; wait_s=60;;
    floor)
      # shellcheck disable=SC2046 # one VAR=value word
      env $(vb_bridge_runtime_env) "${run[@]}" dotnet "$vb_cli" floor --port "$port" \
        --upstream "ws://127.0.0.1:$sim_port/twilio-media" >"$out/floor.log" 2>&1 &
      pid=$!; wait_s=60;;
    node)
      [ -n "$node_sample" ] || { echo "node: no --node-sample folder given" >&2; exit 2; }
      # run.sh execs node in this process, so $! is node's pid once its npm install is done.
      "${run[@]}" bash "$node_sample/run.sh" --port "$port" --upstream "ws://127.0.0.1:$sim_port/v1/realtime" >"$out/node.log" 2>&1 &
      pid=$!; wait_s=300
      # Its TwiML says wss://<Host>/media-stream; it serves plain ws on loopback.
      extra=(--plain-ws);;
    *) echo "unknown contender $name (ours, floor, node)" >&2; exit 2;;
  esac

  echo "== $name: pid $pid on :$port, simulator :$sim_port; $(uptime)" >&2
  vb_wait_healthy "$url" "$wait_s"
  vb_warmup "$url" "$sim_port" "$out/$name-warmup.txt" "${extra[@]}"
  vb_load "$url" "$sim_port" --calls "$calls" --duration "$duration" --ramp "$ramp" --bridge-pid "$pid" \
    --json "$out/$name.json" --html "$out/$name.html" "${extra[@]}" >"$out/$name.txt" || status=$?
  cat "$out/$name.txt" >&2
  vb_stop "$pid"; pid=
  reports+=("$name=$out/$name.json")
  # Let the load average settle a little between contenders (it is an exponential average over a minute).
  sleep "${SETTLE_S:-15}"
done

echo >&2
"${run[@]}" dotnet "$vb_cli" compare "${reports[@]}" | tee "$out/compare.txt"
echo "reports and logs: $out" >&2
exit "$status"

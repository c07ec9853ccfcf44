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
# tools/compare.sh puts the same run beside the floor and Twilio's Node sample.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
calls="${1:-500}"; duration="${2:-60}"; ramp="${3:-20}"
bridge_port="${BRIDGE_PORT:-18084}"; sim_port="${SIM_PORT:-18085}"
out="${OUT:-$root/TestResults/load-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"

# Each call holds two sockets in the bridge and two in the load tool.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

vb_build
vb_priority
vb_start_bridge "$bridge_port" "$sim_port" "$out/bridge.log"
bridge_pid=$vb_pid
trap 'vb_stop "$bridge_pid"; vb_restore_priority' EXIT

echo "bridge pid $bridge_pid on :$bridge_port; $(uptime)" >&2
vb_wait_healthy "http://127.0.0.1:$bridge_port" 60
vb_warmup "http://127.0.0.1:$bridge_port" "$sim_port" "$out/warmup.txt"

status=0
vb_load "http://127.0.0.1:$bridge_port" "$sim_port" \
  --calls "$calls" --duration "$duration" --ramp "$ramp" \
  --bridge-pid "$bridge_pid" --json "$out/load.json" --html "$out/load.html" || status=$?
echo "after: $(uptime)" >&2
echo "report: $out/load.json, $out/load.html; bridge log: $out/bridge.log" >&2
exit "$status"

#!/usr/bin/env bash
# Where the bridge's CPU goes under load, and how often its threads block, per frame.
#
#   tools/profile.sh [CALLS=100] [DURATION_S=30] [RAMP_S=10]
#
# Builds Release, starts the bridge as tools/load.sh does but with DOTNET_PerfMapEnabled=1 (the runtime writes
# /tmp/perf-PID.map, so perf can name JIT-compiled methods) and DOTNET_EnableWriteXorExecute=0 (with W^X on, JIT code
# runs from a second mapping, "memfd:doublemapper", that the map does not describe), warms it up, runs the load tool, and while every call is
# up (the middle of the hold window) runs two perf sessions on the bridge's pid:
#   perf record -g (cpu-clock samples with call chains: software sampling works in VMs without PMU counters)
#   perf stat (context switches, migrations, and the syscalls that block or wake: futex, epoll_wait, sched_yield)
# then prints a short summary: shares of the process's CPU samples by where they ran (kernel / runtime native code /
# managed code: ours, framework, unsymbolised), the kernel paths that matter (scheduler, sched_yield, TCP send and
# receive, epoll, futex) inclusive of their callees, the top symbols, and the counts per call-frame (per call per
# 20 ms: one inbound frame's period). `perf` is Debian's linux-perf package (apt-get install linux-perf); the script
# checks it can sample. Environment: OUT (TestResults/profile-<time>), BRIDGE_PORT (18084), SIM_PORT (18085),
# PERF_FREQ (499 Hz), NICE, WARMUP (as in tools/load.sh). Linux only; run as root or with perf_event_paranoid ≤ 1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=tools/lib.sh
source "$root/tools/lib.sh"
calls="${1:-100}"; duration="${2:-30}"; ramp="${3:-10}"
bridge_port="${BRIDGE_PORT:-18084}"; sim_port="${SIM_PORT:-18085}"
freq="${PERF_FREQ:-499}"
out="${OUT:-$root/TestResults/profile-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

command -v perf >/dev/null || { echo "perf not found: apt-get install linux-perf" >&2; exit 2; }
if ! perf stat -e task-clock true >/dev/null 2>&1; then
  echo "perf cannot count here (perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)); run as root" >&2; exit 2
fi
# The window perf watches: from 2 s after the last call is placed to 2 s before they hang up.
window=$((duration - 4))
[ "$window" -ge 5 ] || { echo "DURATION_S must be at least 9" >&2; exit 2; }

vb_build
vb_priority
vb_start_bridge "$bridge_port" "$sim_port" "$out/bridge.log" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
bridge_pid=$vb_pid
load_pid=
trap '[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null; vb_stop "$bridge_pid"; vb_restore_priority' EXIT
echo "bridge pid $bridge_pid; $(uptime)" >&2
vb_wait_healthy "http://127.0.0.1:$bridge_port" 60
vb_warmup "http://127.0.0.1:$bridge_port" "$sim_port" "$out/warmup.txt"

vb_load "http://127.0.0.1:$bridge_port" "$sim_port" --calls "$calls" --duration "$duration" --ramp "$ramp" \
  --bridge-pid "$bridge_pid" --json "$out/load.json" >"$out/load.txt" 2>"$out/load.err" &
load_pid=$!
sleep $((ramp + 2))
echo "profiling $window s with $calls calls up; $(uptime)" >&2
events=task-clock,context-switches,cpu-migrations
available=$(perf list 2>/dev/null || true)
for tracepoint in syscalls:sys_enter_futex syscalls:sys_enter_epoll_wait syscalls:sys_enter_epoll_pwait syscalls:sys_enter_sched_yield; do
  if grep -q "$tracepoint " <<<"$available"; then events="$events,$tracepoint"; fi
done
perf stat -e "$events" -p "$bridge_pid" -o "$out/perf-stat.txt" -- sleep "$window" &
stat_pid=$!
perf record -F "$freq" -g -e cpu-clock -p "$bridge_pid" -o "$out/perf.data" -- sleep "$window" 2>"$out/perf-record.log" >/dev/null
wait "$stat_pid"
status=0
wait "$load_pid" || status=$?
load_pid=
cat "$out/load.txt" >&2

perf report -i "$out/perf.data" --no-children --sort dso,sym -g none --stdio --percent-limit 0 2>/dev/null >"$out/self.txt"
perf report -i "$out/perf.data" --children --sort sym -g none --stdio --percent-limit 0.5 2>/dev/null >"$out/children.txt"

frames=$((calls * window * 50))
{
  echo "voicebridge profile: $calls calls, perf on the bridge (pid $bridge_pid) for $window s of the hold window, $freq Hz cpu-clock"
  echo "load average during the window: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "CPU samples by where they ran (self time):"
  awk -v pid="$bridge_pid" '
    /^ *[0-9.]+%/ {
      pct = $1 + 0; dso = $2; line = $0
      if (dso == "[kernel.kallsyms]") kernel += pct
      else if (dso ~ /^perf-[0-9]+\.map$/ || dso ~ /^\[JIT\]/) {
        if (line ~ /\[VoiceBridge\./) ours += pct
        else if (line ~ /\[(System|Microsoft)\./) framework += pct
        else othermanaged += pct
      }
      else if (dso ~ /\.dll$/ || dso ~ /doublemapper/) r2r += pct
      else if (dso ~ /^lib(crypto|ssl)|OpenSsl/) crypto += pct
      else if (dso ~ /^libclrjit/) jit += pct
      else if (dso ~ /^lib(coreclr|System\.|clrgc)/) runtime += pct
      else if (dso ~ /^(libc|libm|libstdc|ld-linux|libpthread)/) libc += pct
      else other += pct
    }
    END {
      printf "  kernel                                 %6.1f%%\n", kernel
      printf "  runtime native (coreclr: GC, pool, stubs) %2.1f%%\n", runtime
      printf "  JIT compiler (clrjit)                  %6.1f%%\n", jit
      printf "  libc                                   %6.1f%%\n", libc
      printf "  managed: VoiceBridge.*                 %6.1f%%\n", ours
      printf "  managed: System.* / Microsoft.*        %6.1f%%\n", framework
      printf "  managed: other JIT code                %6.1f%%\n", othermanaged
      printf "  managed: unsymbolised (ReadyToRun)     %6.1f%%\n", r2r
      printf "  OpenSSL (audit hashing, TLS)           %6.1f%%\n", crypto
      printf "  other                                  %6.1f%%\n", other
    }' "$out/self.txt"
  echo
  echo "Paths, inclusive of what they call (share of all samples; __sched_yield is libc's, kernel time under it included):"
  for sym in __schedule __sched_yield __x64_sys_sched_yield try_to_wake_up tcp_sendmsg tcp_recvmsg do_epoll_wait do_futex; do
    awk -v s="$sym" '$0 ~ /^ *[0-9.]+%/ && $NF == s { printf "  %-24s %6.1f%% (self %.1f%%)\n", s, $1, $2; found = 1 } END { if (!found) printf "  %-24s  <0.5%%\n", s }' "$out/children.txt"
  done
  # The thread pool's idle wait: a worker with nothing to do spins, calls sched_yield, then blocks on a futex.
  awk '/^ *[0-9.]+%/ && /LowLevelLifoSemaphore::Wait/ && $1 + 0 > max { max = $1 + 0 }
    END { printf "  %-24s %6.1f%% (the thread pool idle wait: spin, sched_yield, futex)\n", "LowLevelLifoSemaphore", max }' "$out/children.txt"
  echo
  echo "Top 15 symbols (self):"
  awk '/^ *[0-9.]+%/ && n++ < 15 { print substr($0, 1, 160) }' "$out/self.txt"
  echo
  echo "Counts in the window (perf stat), per call-frame = per call per 20 ms ($frames call-frames):"
  awk -v frames="$frames" -v window="$window" '
    /^ *[0-9][0-9,.]* +msec +task-clock/ { gsub(",", "", $1); printf "  %-36s %12.0f ms (%.2f cores)\n", "task-clock", $1, $1 / 1000 / window; next }
    /^ *[0-9][0-9,]* +[a-z_]+:?[a-z_]*/ && $2 != "seconds" {
      gsub(",", "", $1)
      printf "  %-36s %12d   %8.3f per call-frame\n", $2, $1, $1 / frames
    }' "$out/perf-stat.txt"
} | tee "$out/summary.txt"
echo "perf data, reports and the load table: $out (perf report -i $out/perf.data for the rest)" >&2
exit "$status"

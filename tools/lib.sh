# Shared by tools/load.sh, tools/compare.sh and tools/profile.sh (sourced, not run): building, starting the bridge
# the way every measurement starts it, waiting for health, stopping what was started (by pid only).
# Callers set: root (the repo), out (the run's folder), run (an array: the command prefix, e.g. (nice -n -10) or ()).

vb_cli="src/VoiceBridge.Cli/bin/Release/net10.0/voicebridge.dll"
vb_server="src/VoiceBridge.Server/bin/Release/net10.0/VoiceBridge.Server.dll"
vb_token="load-test-auth-token"
vb_audit_dirs=()

# vb_priority: with NICE set (e.g. -10, as root), runs what follows ahead of other work on a shared machine: the
# command prefix `nice -n NICE` for the processes measured and, where the kernel groups tasks by session for
# scheduling (sched_autogroup_enabled=1, where a nice value only ranks a task inside its own session), the same nice
# for this session's group, so it also ranks against other sessions. Sets run.
vb_priority() {
  run=()
  [ -n "${NICE:-}" ] || return 0
  run=(nice -n "$NICE")
  if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] && [ -w /proc/self/autogroup ]; then
    vb_autogroup_before=$(sed -n 's/.* nice //p' /proc/self/autogroup)
    echo "$NICE" >/proc/self/autogroup 2>/dev/null || echo "(could not set this session's autogroup nice to $NICE)" >&2
  fi
}

# vb_restore_priority: gives the session's group its nice back (the group outlives this script), and removes the
# audit trails the bridges wrote unless KEEP_AUDIT=1; call on exit.
vb_restore_priority() {
  [ -n "${vb_autogroup_before:-}" ] && echo "$vb_autogroup_before" >/proc/self/autogroup 2>/dev/null
  if [ "${KEEP_AUDIT:-0}" != 1 ] && [ "${#vb_audit_dirs[@]}" -gt 0 ]; then rm -rf "${vb_audit_dirs[@]}"; fi
  return 0
}

vb_build() {
  echo "building Release..." >&2
  dotnet build -c Release src/VoiceBridge.Server -v quiet -nologo >&2
  dotnet build -c Release src/VoiceBridge.Cli -v quiet -nologo >&2
}

# vb_start_bridge PORT SIM_PORT LOG [VAR=value ...]: starts the bridge in the background; its pid in vb_pid.
# Production settings (a fresh audit signing key per run: trails are sealed as in production) except the per-IP rate limit (every simulated call comes from 127.0.0.1, which a real
# deployment would never see), logs at Warning (one line per call start and end at Information is noise at this
# scale). Extra VAR=value pairs are added to its environment (e.g. DOTNET_PerfMapEnabled=1).
vb_start_bridge() {
  local port=$1 sim_port=$2 log=$3; shift 3
  # The bridge runs in an empty folder of its own, its audit trail in another, both outside the repository: its content
  # root is its current directory, and its configuration file watcher watches every folder under the content root, so
  # writes there (the audit trail, perf.data, logs) would wake that watcher (measured with the repository as content
  # root: 452 folders watched, 2-3 % of the bridge's CPU samples at 100 calls) for a cost no deployment pays. An empty
  # folder has no appsettings.json, as the repository root has none: the configuration is the code's defaults and the
  # environment below.
  local audit home
  audit=$(mktemp -d "${TMPDIR:-/tmp}/voicebridge-audit.XXXXXX")
  home=$(mktemp -d "${TMPDIR:-/tmp}/voicebridge-cwd.XXXXXX")
  vb_audit_dirs+=("$audit" "$home")
  echo "audit trail: $audit (removed at the end; KEEP_AUDIT=1 keeps it)" >&2
  env -C "$home" ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Twilio__AuthToken="$vb_token" \
    Upstream__Endpoint="ws://127.0.0.1:$sim_port/v1/realtime" \
    Upstream__ApiKey="load-test-not-a-key" \
    Audit__Directory="$audit" \
    Audit__SigningKey="$(head -c 32 /dev/urandom | base64)" \
    Session__RateLimit__Enabled=false \
    Logging__LogLevel__Default=Warning \
    "$@" \
    "${run[@]}" dotnet "$root/$vb_server" >"$log" 2>&1 &
  vb_pid=$!
}

# The bridge's runtime settings (GC mode, the thread pool's spin limit: src/VoiceBridge.Server's project file), so a
# contender hosted by the CLI runs with the same ones.
vb_bridge_runtime_env() {
  local config="${vb_server%.dll}.runtimeconfig.json" spin
  if grep -Eq '"System.GC.Server": *true' "$config" 2>/dev/null; then echo "DOTNET_gcServer=1"; else echo "DOTNET_gcServer=0"; fi
  spin=$(sed -n 's/.*"System.Threading.ThreadPool.UnfairSemaphoreSpinLimit": *\([0-9]*\).*/\1/p' "$config" 2>/dev/null)
  [ -n "$spin" ] && echo "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=$spin"
  return 0
}

# vb_wait_healthy URL SECONDS: polls URL/healthz until it answers 2xx; 1 when it never did.
vb_wait_healthy() {
  local url=$1 seconds=$2 i
  if ! command -v curl >/dev/null; then
    echo "(no curl: not waiting for $url/healthz here; the load tool waits up to 60 s itself)" >&2
    return 0
  fi
  for ((i = 0; i < seconds * 4; i++)); do
    curl -sf -o /dev/null --max-time 2 "$url/healthz" && return 0
    sleep 0.25
  done
  echo "no answer from $url/healthz within $seconds s" >&2
  return 1
}

# vb_stop PID: TERM, up to 10 s to exit, then KILL.
vb_stop() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# vb_load URL SIM_PORT [load options...]: the load tool against URL, hosting the simulator on SIM_PORT.
vb_load() {
  local url=$1 sim_port=$2; shift 2
  "${run[@]}" dotnet "$vb_cli" load --url "$url" --auth-token "$vb_token" --host-simulator "$sim_port" "$@"
}

# vb_warmup URL SIM_PORT LOG [load options...]: 50 calls for 10 s, so the measured run sees a warm process (JIT done,
# pools sized) and its memory baseline is taken on it: per-call figures are then what one more call costs.
vb_warmup() {
  local url=$1 sim_port=$2 log=$3; shift 3
  [ "${WARMUP:-1}" != 0 ] || return 0
  echo "warm-up: 50 calls for 10 s..." >&2
  vb_load "$url" "$sim_port" --calls 50 --duration 10 --ramp 2 "$@" >"$log" 2>&1 \
    || echo "warm-up run was not clean (see $log)" >&2
}

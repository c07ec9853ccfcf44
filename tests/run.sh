#!/usr/bin/env bash
# Runs every test in the solution on a fresh machine that has only the .NET SDK.
# It installs and starts whatever the tests need beyond the SDK (tests/prerequisites.sh; under CI=true a missing one
# stops the run at once with a non-zero exit), runs all test projects, stops what it started,
# and ends with one line "N passed, N failed[, N skipped]" read from the test results.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

results="$root/TestResults/run-$(date +%Y%m%d-%H%M%S)-$$"
# Tests that measure something (resampler quality, SNR) write their figures here; printed at the end.
export VOICEBRIDGE_FIGURES_DIR="$results/figures"
mkdir -p "$results"

# shellcheck source=tests/prerequisites.sh
source "$root/tests/prerequisites.sh"
trap stop_test_prerequisites EXIT
if ! ensure_test_prerequisites; then
  # CI=true and something the tests need could not be installed or started: stop here, before a long run whose
  # failures would hide the cause. One failure per missing prerequisite, in the same summary line as a test run.
  echo "tests/run.sh: ${#test_prerequisites_missing[@]} test prerequisite(s) could not be had (listed above); no tests were run" >&2
  echo
  echo "0 passed, ${#test_prerequisites_missing[@]} failed"
  exit 1
fi

# --timeout: a test host that has not finished in 12 minutes (the slowest takes 3-5) is stopped and fails the run,
# so a test that awaits for ever is a red run with its name, not a run that never ends.
dotnet test --solution "$root/VoiceBridge.sln" \
  --results-directory "$results" \
  --report-xunit-trx \
  --no-progress \
  --timeout 12m
test_exit=$?

passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  n=$(get notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${n:-0}))
done

# Figures the quality and end-to-end tests printed (resampler rejection, SNR, ...).
if compgen -G "$results/figures/*.txt" > /dev/null; then
  echo; echo "Measured figures:"; cat "$results"/figures/*.txt
fi

echo
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"

if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ] || [ "$test_exit" -ne 0 ]; then
  exit 1
fi
exit 0

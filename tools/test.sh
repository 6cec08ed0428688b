#!/usr/bin/env bash
# Runs every test project and ends with one plain line "N passed, N failed[, N skipped]"
# summing all of them (the line CI reads). Exit status: non-zero if any test failed or any
# project did not build or run.
set -uo pipefail
config="${CONFIG:-Release}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

dotnet test Port.sln -c "$config" --no-restore --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

read -r passed failed skipped < <(awk '
  /(Passed|Failed)!  *- *Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1))
      if ($i == "Failed:")  f += $(i+1)
      if ($i == "Passed:")  p += $(i+1)
      if ($i == "Skipped:") s += $(i+1)
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")

if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
[ "$failed" -eq 0 ] || status=1

# The regression gate (GATE="command"): every scenario booted observed and diffed. It counts as
# one more test in the closing line, which stays the last line printed.
if [ -n "${GATE:-}" ]; then
  echo
  if $GATE; then passed=$((passed + 1)); gate=passed; else failed=$((failed + 1)); gate=FAILED; status=1; fi
  echo
  echo "xunit: $((passed + failed - 1)) run, gate: ${gate}"
fi

echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"

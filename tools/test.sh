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

echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi

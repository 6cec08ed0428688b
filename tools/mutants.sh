#!/usr/bin/env bash
# make mutants: the gate's own test (FIDELITY §5). Builds the port once per mutation of traces/mutants/mutants.tsv
# (-p:PortMutation=NAME turns on one `#if MUTATION_NAME` block in csharp-kernel/src), runs the gate on the scenarios
# listed for it, and prints a table: mutation, caught (by which scenario, first divergence) or missed.
# Variables: HARNESS (the harness command), MUTANTS=NAME,NAME (only these), MUTANTS_OUT (default build/mutants),
# ORIGINAL_ELF (the original's ELF, for IDT handler names; default build/original/kernel.elf), MUTANTS_REUSE=1 (reuse
# every mutant kernel already built), MUTANTS_TIMEOUT_FACTOR (default 4).
# A mutant's kernel is rebuilt only when csharp-kernel/ changed since it was built.
set -uo pipefail
cd "$(dirname "$0")/.."
HARNESS=${HARNESS:?set HARNESS to the harness command}
OUT=${MUTANTS_OUT:-build/mutants}
LIST=traces/mutants/mutants.tsv
mkdir -p "$OUT"
results="$OUT/results.md"
{
  echo "| mutation | observable | verdict | caught by | first divergence / failure |"
  echo "|---|---|---|---|---|"
} > "$results"
caught=0; missed=0; failed=0; total=0
while IFS=$'\t' read -r name observable scenarios what; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -n "${MUTANTS:-}" && ",${MUTANTS}," != *",$name,"* ]]; then continue; fi
  total=$((total + 1))
  dir="$OUT/$name"
  mkdir -p "$dir"
  elf="$dir/kernel.elf"
  if [[ ! -f "$elf" || ( -z "${MUTANTS_REUSE:-}" && -n "$(find csharp-kernel -newer "$elf" \( -name '*.cs' -o -name '*.csproj' -o -name '*.asm' -o -name '*.inc' -o -name '*.ld' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ) ]]; then
    rm -f "$elf"
    # A mutation gated on user-* scenarios is built with the project's userspace as its initfs (make userspace).
    initfs=""; [[ ",$scenarios," == *",user-"* ]] && initfs="$PWD/build/userspace/initfs"
    if ! dotnet build csharp-kernel/Kernel.csproj -c Release --nologo --verbosity quiet -clp:NoSummary \
        --artifacts-path "$OUT/artifacts${initfs:+-userspace}" "-p:PortMutation=$name" "-p:InitFs=$initfs" "-p:KernelOut=$PWD/$dir/" > "$dir/build.log" 2>&1 || [[ ! -f "$elf" ]]; then
      echo "$name: BUILD FAILED (see $dir/build.log)"
      echo "| $name | $observable | **build failed** | - | see $dir/build.log |" >> "$results"
      failed=$((failed + 1))
      continue
    fi
  fi
  [[ -n "${MUTANTS_BUILD_ONLY:-}" ]] && { echo "$name: built"; continue; }
  rm -f "$dir/gate-summary.tsv"
  $HARNESS gate --kernel "$elf" --only "$scenarios" --output-dir "$dir" --timeout-factor "${MUTANTS_TIMEOUT_FACTOR:-4}" --original-elf "${ORIGINAL_ELF:-build/original/kernel.elf}" > "$dir/gate.log" 2>&1
  status=$?
  by=""; first=""
  if [[ -f "$dir/gate-summary.tsv" ]]; then
    while IFS=$'\t' read -r scen verdict baseline message; do
      [[ "$scen" == stale ]] && continue
      # Caught: a divergence, or a boot that ended otherwise than by timing out (a triple fault, a panic the original
      # does not have). A timeout alone proves nothing on a loaded machine: inconclusive.
      if [[ -z "$by" && ( "$verdict" == diverged || ( "$verdict" == incomplete && "$message" != *timeout* ) ) ]]; then
        by="$scen ($baseline, $verdict)"; first="$message"
      elif [[ -z "$by" && "$verdict" != equal && "$verdict" != accepted && -z "$first" ]]; then
        first="$scen: $verdict: $message"
      fi
    done < "$dir/gate-summary.tsv"
  fi
  if [[ -n "$by" ]]; then
    caught=$((caught + 1)); word=caught
  elif [[ $status -ne 0 && ! -f "$dir/gate-summary.tsv" ]]; then
    failed=$((failed + 1)); word="gate error"; first="$(tail -1 "$dir/gate.log")"
  elif [[ -n "$first" ]]; then
    failed=$((failed + 1)); word=inconclusive
  else
    missed=$((missed + 1)); word=MISSED
  fi
  printf '%-34s %-8s %s: %s\n' "$name" "$word" "${by:-on $scenarios}" "${first:0:150}"
  echo "| $name | $observable | $word | ${by:-$scenarios} | ${first//|/\\|} |" >> "$results"
done < "$LIST"
echo "mutants: $total — caught $caught, missed $missed, failed or inconclusive $failed (table: $results)"
[[ $missed -eq 0 && $failed -eq 0 ]]

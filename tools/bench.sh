#!/usr/bin/env bash
# make bench: the port's build and boot figures.
#   full build        C# compile + ILCompiler + nasm + ld from a clean kernel build folder
#   incremental build one source file touched, everything rebuilt that depends on it
#   image size        build/kernel.elf
#   boot              QEMU start -> first serial line, -> end of the boot, and first -> last serial byte less the
#                     longest serial silence (the RTC wait) (median of N unobserved runs)
#   observed          per stop of the observer: the port on SCENARIO and USER_SCENARIO, the originals (REDOX_KERNEL,
#                     USER_KERNEL), STOP_RUNS recorded runs each (default 3) and the median of their medians
#   in-process        the early boot under Unicorn per boot, and generated E820 maps per minute through the port,
#                     the original (REDOX_KERNEL) and both (BENCH_MAPS maps each, 2 threads)
set -euo pipefail
cd "$(dirname "$0")/.."
config="${CONFIG:-Release}"
runs="${RUNS:-5}"
scenario="${SCENARIO:-q35-2g-slot4m}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

now() { date +%s.%N; }
# One row of a record's table (its first cell NAME), its lines joined where the table wrapped the cell.
row() { # name log
  awk -F'│' -v name="$1" '
    $2 ~ "^ *" name " *$" {p = 1; s = $3; next}
    p && $2 ~ /^ *$/ && NF >= 4 {s = s " " $3; next}
    p {exit}
    END {gsub(/ +/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); print s}' "$2"
}
build() { dotnet build csharp-kernel/Kernel.csproj -c "$config" --nologo --verbosity quiet -clp:NoSummary --artifacts-path "$out/art" -p:KernelOut="$out/kernel/" >/dev/null; }

t0=$(now); build; t1=$(now)
touch csharp-kernel/src/arch/x86_64/start.cs
t2=$(now); build; t3=$(now)

full=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
incr=$(awk -v a="$t2" -v b="$t3" 'BEGIN{print b-a}')
size=$(stat -c %s "$out/kernel/kernel.elf")
text=$(size -A "$out/kernel/kernel.elf" | awk '$1==".text"{print $2}')

printf '%-40s %8.2f s\n' "full build (restore, C#, ILC, nasm, ld)" "$full"
printf '%-40s %8.2f s\n' "incremental build (start.cs touched)" "$incr"
printf '%-40s %8d bytes (.text %d)\n' "image size (kernel.elf)" "$size" "$text"
echo
dotnet harness/Cli/bin/"$config"/net10.0/harness.dll bench --kernel "$out/kernel/kernel.elf" --scenario "$scenario" --runs "$runs" | tee "$out/bench.log"

# Observed: diff-boot end to end (the port booted under the gdb stub, its trace written, diffed
# against the reference, the HTML report written), warm (everything built).
echo
t4=$(now)
status=0
dotnet harness/Cli/bin/"$config"/net10.0/harness.dll diff-boot --kernel "$out/kernel/kernel.elf" --scenario "$scenario" --out "$out/diff" > "$out/diff.log" 2>&1 || status=$?
t5=$(now)
diffboot=$(awk -v a="$t4" -v b="$t5" 'BEGIN{print b-a}')
observed=$(row wall "$out/diff.log")
printf '%-40s %8.2f s (exit %d)\n' "warm diff-boot, end to end" "$diffboot" "$status"
printf '%-40s %s\n' "observed boot (gdb stub), wall" "$observed"
grep -a -m3 -E '│ (events|stops|gdb stub) ' "$out/diff.log" | sed 's/│//g; s/^ */  /'
# The observer's own figures for the port's boot: wall µs per stop (median, p90; a stop = continue to a
# breakpoint, register read, handling, leaving it: a step, an emulated instruction or none), the harness's CPU µs per stop, packets per stop, and the
# run loop (kstart -> end) without its longest wait (device_noncore's RTC wait, which follows the host clock).
echo "  per stop: $(row "per stop" "$out/diff.log")"
echo "  CPUs: $(row CPUs "$out/diff.log")"
echo "  machine load (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# The port on a userspace scenario (build/userspace/kernel.elf, `make kernel-userspace`, on USER_SCENARIO, default
# user-driver), and the original observed by the same observer (issue 15's figures): REDOX_KERNEL=<the original's ELF> on
# SCENARIO, and USER_KERNEL=<the original built with build/userspace/initfs> on USER_SCENARIO. Each line: wall µs per stop
# (median, p90) and each leg's median/mean, the harness's CPU µs per stop (mean over the run loop, the JIT's first
# compilations included; and the median stop's, by leg), packets per stop (by command), and the run loop (kstart -> end)
# without its longest wait (device_noncore's RTC wait), with the machine's load before and after.
runs_recorded=0
stop_runs="${STOP_RUNS:-3}"
# One kernel on one scenario, STOP_RUNS times (a VM's single run varies by 15-20 %): each run's line, then the median of
# the runs' median and p90 µs per stop, which is the figure to compare.
per_stop() { # kernel scenario
  local medians=() p90s=() i
  for i in $(seq "$stop_runs"); do
    runs_recorded=$((runs_recorded + 1))
    local log="$out/record-$runs_recorded-$2.log"
    local before; before=$(cut -d' ' -f1-3 /proc/loadavg)
    dotnet harness/Cli/bin/"$config"/net10.0/harness.dll record --kernel "$1" --scenario "$2" --out "$out/record-$runs_recorded-$2.jsonl" > "$log" 2>&1 || true
    local line; line=$(row "per stop" "$log")
    echo "  $2 on $1, run $i: $line"
    echo "    CPUs: $(row CPUs "$log")"
    echo "    load (1, 5, 15 min) before: $before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
    medians+=("$(echo "$line" | grep -o -E '^ *[0-9]+ µs median' | grep -o -E '[0-9]+')")
    p90s+=("$(echo "$line" | grep -o -E '[0-9]+ µs p90' | grep -o -E '^[0-9]+')")
  done
  printf '%s\n' "${medians[@]}" "--" "${p90s[@]}" | awk -v k="$1" -v sc="$2" -v n="$stop_runs" '
    $0 == "--" {half = 1; next}
    $0 != "" {if (half) p[++np] = $0; else m[++nm] = $0}
    function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { if (nm) printf "  => %s on %s: %s µs median, %s µs p90 a stop (median of %d runs)\n", sc, k, med(m, nm), med(p, np), nm }'
}
# Each run is pinned as any run is by default (harness/Qemu/CpuAffinity.cs: QEMU on one CPU, the reader on another,
# polling; one run on the machine at a time), unless HARNESS_PIN=0; each run's line says where it ran.
echo
echo "observed (harness record), per stop, $stop_runs runs each${HARNESS_PIN:+, HARNESS_PIN=$HARNESS_PIN}:"
per_stop "$out/kernel/kernel.elf" "$scenario"
if [[ -f build/userspace/kernel.elf ]]; then
  per_stop build/userspace/kernel.elf "${USER_SCENARIO:-user-driver}"
else
  echo "  the port on ${USER_SCENARIO:-user-driver}: build/userspace/kernel.elf is not built (make kernel-userspace)"
fi
if [[ -n "${REDOX_KERNEL:-}" || -n "${USER_KERNEL:-}" ]]; then
  [[ -n "${REDOX_KERNEL:-}" ]] && per_stop "$REDOX_KERNEL" "$scenario"
  [[ -n "${USER_KERNEL:-}" ]] && per_stop "$USER_KERNEL" "${USER_SCENARIO:-user-driver}"
fi

# In-process (harness/Unicorn): the same early boot to heap_done under Unicorn, no QEMU — per boot, on one
# reused engine — and generated E820 maps per minute (harness/Fuzz, outcomes compared, 2 threads = both cores):
# through the port, through the original alone, and through both (each map run by both kernels and compared).
# The original's ELF: REDOX_KERNEL (else those two lines say so). The machine may be loaded: CPU time per run is
# printed beside the rates, and the load average before and after.
maps="${BENCH_MAPS:-3000}"
echo
echo "in-process (Unicorn $(dpkg-query -W -f='${Version}' libunicorn2 2>/dev/null || echo '?')), load (1, 5, 15 min) before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
dotnet harness/Cli/bin/"$config"/net10.0/harness.dll unicorn --kernel "$out/kernel/kernel.elf" --scenario "$scenario" --runs 21 \
  --out "$out/unicorn.jsonl" > "$out/unicorn.log" 2>&1 || true
tr '\n' ' ' < "$out/unicorn.log" | tr -s ' ' | grep -a -o -E '[0-9]+ more runs on the same engine: [0-9.]+ ms wall, [0-9.]+ ms CPU per run' | sed 's/^/  port per boot to heap_done: /' || true
inproc=$(tr '\n' ' ' < "$out/unicorn.log" | tr -s ' ' | grep -a -o -E '[0-9.]+ ms wall, [0-9.]+ ms CPU per run' | awk '{print $1}' || true)
qemu=$(grep -a -E 'QEMU start → end of boot' "$out/bench.log" 2>/dev/null | awk -F'│' '{gsub(/[ s]/, "", $3); print $3}' || true)
if [[ -n "$inproc" && -n "$qemu" ]]; then
  awk -v q="$qemu" -v u="$inproc" 'BEGIN{printf "  per boot: QEMU (start to end, unobserved) %.0f ms, in-process to heap_done %.1f ms wall: %.0fx\n", q*1000, u, q*1000/u}'
fi
fuzz() {
  local label="$1"; shift
  dotnet harness/Cli/bin/"$config"/net10.0/harness.dll fuzz --maps "$maps" --threads 2 --outcomes-only --out-dir "$out/fuzz" "$@" 2>&1 \
    | tr '\n' ' ' | tr -s ' ' | grep -a -o -E '[0-9]+ maps in [0-9.]+ s wall \([0-9]+ maps/min on 2 thread\(s\); [0-9]+ maps/min after a [0-9.]+ s warm-up\), [0-9.]+ s CPU \([0-9.]+ ms CPU per run\)' \
    | sed "s/^/  $label: /" || true
}
fuzz "maps through the port    " --kernel "$out/kernel/kernel.elf"
if [[ -n "${REDOX_KERNEL:-}" && -f "${REDOX_KERNEL:-}" ]]; then
  fuzz "maps through the original" --kernel "$REDOX_KERNEL"
  fuzz "maps through both        " --kernel "$out/kernel/kernel.elf" --original "$REDOX_KERNEL"
else
  echo "  maps through the original, and through both: REDOX_KERNEL is not set (an original Redox 0.3.5 kernel ELF)"
fi
echo "  load (1, 5, 15 min) after: $(cut -d' ' -f1-3 /proc/loadavg)"

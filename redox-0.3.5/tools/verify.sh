#!/usr/bin/env bash
# Check a recovered copy of the original Redox 0.3.5 kernel against MANIFEST.sha256.
#
# usage: verify.sh [-m MANIFEST] DIR
#   DIR       the kernel checkout at tag 0.3.5: its files at the top, the submodules in
#             syscall/ and slab_allocator/, and the bootloader at its pinned commit in
#             bootloader/ (see ../README.md for how to lay one out)
#   MANIFEST  default: MANIFEST.sha256 next to this tools/ folder
#
# Prints how many files match, and every file that differs or is missing; files in DIR
# that the manifest does not list are counted and shown (.git and target/ are ignored),
# but do not make the check fail. Exit status: 0 when every listed file matches, 1 when
# some differ or are missing, 2 on a usage error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/../MANIFEST.sha256"
if [[ "${1:-}" == "-m" ]]; then
    manifest="${2:?-m needs a file}"
    shift 2
fi
if [[ $# -ne 1 ]]; then
    echo "usage: $(basename "$0") [-m MANIFEST] DIR" >&2
    exit 2
fi
dir="${1%/}"
[[ -d "$dir" ]] || { echo "verify: $dir is not a folder" >&2; exit 2; }
[[ -f "$manifest" ]] || { echo "verify: no manifest at $manifest" >&2; exit 2; }

total=0 ok=0
differ=() missing=()
declare -A listed=()
while IFS= read -r line; do
    [[ -z "$line" ]] && continue
    hash="${line%%  *}"
    path="${line#*  }"
    if [[ ! "$hash" =~ ^[0-9a-f]{64}$ || "$path" == "$line" ]]; then
        echo "verify: malformed manifest line: $line" >&2
        exit 2
    fi
    total=$((total + 1))
    listed["$path"]=1
    if [[ ! -f "$dir/$path" ]]; then
        missing+=("$path")
    elif [[ "$(sha256sum <"$dir/$path" | cut -d' ' -f1)" == "$hash" ]]; then
        ok=$((ok + 1))
    else
        differ+=("$path")
    fi
done <"$manifest"

extra=()
while IFS= read -r -d '' f; do
    rel="${f#"$dir"/}"
    [[ -n "${listed[$rel]:-}" ]] || extra+=("$rel")
done < <(find "$dir" \( -name .git -o -path "$dir/target" \) -prune -o \( -type f -o -type l \) -print0 | LC_ALL=C sort -z)

for p in "${differ[@]}"; do echo "DIFFERS  $p"; done
for p in "${missing[@]}"; do echo "MISSING  $p"; done
for p in "${extra[@]}"; do echo "EXTRA    $p (not in the manifest)"; done
echo "verify: $ok of $total files match; ${#differ[@]} differ, ${#missing[@]} missing; ${#extra[@]} extra (not in the manifest)"
if [[ $ok -eq $total ]]; then
    echo "verify: OK: $dir is the original at kernel 0.3.5 (f83f61b5), syscall 7c805d2a, slab_allocator 0a53a0bc, bootloader 615d9e13"
    exit 0
fi
echo "verify: FAILED"
exit 1

#!/usr/bin/env bash
# Write MANIFEST.sha256 for the original Redox 0.3.5 kernel, from bare git mirrors.
#
# It only hashes: every blob of the kernel tree at tag 0.3.5, of each submodule at the
# commit the kernel pins (prefixed by the submodule's path), and of the bootloader at the
# commit the redox repository pinned for 0.3.5 (prefixed "bootloader/"). Nothing is
# checked out, built or copied. Lines are `sha256  path` (sha256sum format), sorted by path
# (C locale). Gitlinks (the submodule entries themselves) are not files and are skipped.
#
# usage: make-manifest.sh [-o OUTPUT] [MIRROR_ROOT]
#   MIRROR_ROOT  folder holding owner+name/repo bare mirrors (default /work/.mirror)
#   -o OUTPUT    write there instead of standard output
# The four git directories can also be given one by one with KERNEL_GIT, SYSCALL_GIT,
# SLAB_ALLOCATOR_GIT and BOOTLOADER_GIT.
set -euo pipefail

out=""
if [[ "${1:-}" == "-o" ]]; then
    out="${2:?-o needs a file}"
    shift 2
fi
root="${1:-/work/.mirror}"

KERNEL_GIT="${KERNEL_GIT:-$root/redox-os+kernel/repo}"
SYSCALL_GIT="${SYSCALL_GIT:-$root/redox-os+syscall/repo}"
SLAB_ALLOCATOR_GIT="${SLAB_ALLOCATOR_GIT:-$root/redox-os+slab_allocator/repo}"
BOOTLOADER_GIT="${BOOTLOADER_GIT:-$root/redox-os+bootloader/repo}"

KERNEL_TAG="0.3.5"
KERNEL_COMMIT="f83f61b51a7dfe4ac546b6fb72c5b0c0d8669696"
BOOTLOADER_COMMIT="615d9e136512a21cc5fb22b5ab74389e078d3fb7"

die() { echo "make-manifest: $*" >&2; exit 1; }

have_commit() { git --git-dir="$1" cat-file -e "$2^{commit}" 2>/dev/null; }

# hash_tree GIT_DIR COMMIT PREFIX: one manifest line per blob of COMMIT's tree.
hash_tree() {
    local gitdir="$1" commit="$2" prefix="$3"
    local mode type object path
    while IFS= read -r -d '' entry; do
        # entry: "<mode> <type> <object>\t<path>"
        path="${entry#*$'\t'}"
        read -r mode type object <<<"${entry%%$'\t'*}"
        case "$type" in
            blob) ;;
            commit) continue ;;          # a submodule: hashed from its own mirror
            *) die "unexpected $type entry $path in $commit" ;;
        esac
        case "$path" in
            *$'\n'* | *\\*) die "path needs escaping in sha256sum format: $prefix$path" ;;
        esac
        printf '%s  %s\n' "$(git --git-dir="$gitdir" cat-file blob "$object" | sha256sum | cut -d' ' -f1)" "$prefix$path"
    done < <(git --git-dir="$gitdir" ls-tree -r -z "$commit")
}

[[ -d "$KERNEL_GIT" ]] || die "no kernel mirror at $KERNEL_GIT"
have_commit "$KERNEL_GIT" "$KERNEL_COMMIT" || die "kernel commit $KERNEL_COMMIT not in $KERNEL_GIT"
tag_commit="$(git --git-dir="$KERNEL_GIT" rev-parse "$KERNEL_TAG^{commit}" 2>/dev/null || true)"
[[ -z "$tag_commit" || "$tag_commit" == "$KERNEL_COMMIT" ]] \
    || die "tag $KERNEL_TAG is $tag_commit in $KERNEL_GIT, expected $KERNEL_COMMIT"
have_commit "$BOOTLOADER_GIT" "$BOOTLOADER_COMMIT" || die "bootloader commit $BOOTLOADER_COMMIT not in $BOOTLOADER_GIT"

lines="$(
    hash_tree "$KERNEL_GIT" "$KERNEL_COMMIT" ""
    # The submodules, at the commits recorded in the kernel's tree (gitlink entries).
    while IFS= read -r -d '' entry; do
        path="${entry#*$'\t'}"
        read -r _ type object <<<"${entry%%$'\t'*}"
        [[ "$type" == "commit" ]] || continue
        var="$(echo "$path" | tr '[:lower:]-' '[:upper:]_')_GIT"
        gitdir="${!var:-}"
        [[ -n "$gitdir" && -d "$gitdir" ]] || die "no mirror for submodule $path (set $var)"
        have_commit "$gitdir" "$object" || die "submodule $path commit $object not in $gitdir"
        hash_tree "$gitdir" "$object" "$path/"
    done < <(git --git-dir="$KERNEL_GIT" ls-tree -r -z "$KERNEL_COMMIT")
    hash_tree "$BOOTLOADER_GIT" "$BOOTLOADER_COMMIT" "bootloader/"
)"

sorted="$(printf '%s\n' "$lines" | LC_ALL=C sort -k2)"
if [[ -n "$out" ]]; then
    printf '%s\n' "$sorted" >"$out"
    echo "make-manifest: $(printf '%s\n' "$sorted" | wc -l) files -> $out" >&2
else
    printf '%s\n' "$sorted"
fi

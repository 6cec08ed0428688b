#!/usr/bin/env bash
# Installs what building and booting need on a Debian machine, only what is missing, so that
# it is cheap to run before every make target. Needs root (or sudo) only when something is missing.
set -euo pipefail

need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
command -v nasm >/dev/null 2>&1 || need+=(nasm)
command -v ld >/dev/null 2>&1 || need+=(binutils)
[ -f /usr/share/unifont/unifont.hex ] || need+=(unifont) # the graphical debug font (csharp-kernel/tools/font)
[ -e /usr/lib/x86_64-linux-gnu/libunicorn.so.2 ] || need+=(libunicorn2) # the in-process early boot (harness/Unicorn)
# the HTML report's browser tests (make test): Debian's chromium, driven by Playwright with its executablePath
if [ "${WITH_CHROMIUM:-0}" = 1 ] && ! [ -x /usr/bin/chromium ]; then need+=(chromium); fi

if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]} (Debian packages)"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET SDK (10.0) is required and was not found on PATH." >&2
  echo "              Install it (Debian: Microsoft's dotnet-sdk-10.0 package) and retry." >&2
  exit 1
fi

#!/usr/bin/env bash
# Checks the build tools capgen needs and installs the missing ones with
# apt-get when running as root; otherwise prints the command to run.
set -euo pipefail

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v ninja >/dev/null 2>&1 || need+=(ninja-build)
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v ccache >/dev/null 2>&1 || need+=(ccache)
command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
command -v go >/dev/null 2>&1 || { echo "error: Go is not installed (https://go.dev/dl/, 1.26 or newer)" >&2; exit 1; }

[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${CAPGEN_NO_APT:-}" ]; then
  echo "installing ${need[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    exit 0
  fi
  echo "warning: apt-get could not install ${need[*]} (no network?)" >&2
else
  echo "install the missing tools with: sudo apt-get install -y ${need[*]}" >&2
fi
# ccache and exiftool are optional for building (the XMP read-back tests
# need exiftool); the rest is not.
for p in "${need[@]}"; do
  case $p in
    ccache|libimage-exiftool-perl) echo "note: $p missing: building without it" >&2 ;;
    *) echo "error: missing build tool: $p" >&2; exit 1 ;;
  esac
done

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
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "error: missing build tools: ${need[*]}" >&2
  echo "install them with: sudo apt-get install -y ${need[*]}" >&2
  # ccache and exiftool are optional for building; the rest is not.
  for p in "${need[@]}"; do
    case $p in ccache|libimage-exiftool-perl) ;; *) exit 1 ;; esac
  done
fi

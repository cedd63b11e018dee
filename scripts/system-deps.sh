#!/usr/bin/env bash
# System packages the test suite uses that PyPI cannot provide: poppler-utils (pdftoppm renders the
# CMS-1500 PDF to PNG). Installed from Debian's packages when missing; needs root and apt-get.
set -u
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "installing ${need[*]} from Debian's packages"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
else
  echo "warning: ${need[*]} missing and cannot be installed here (needs root and apt-get)" >&2
fi

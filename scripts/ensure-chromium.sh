#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium for the viewer's browser tests
# (test/viewer/). Playwright never downloads a browser here: it drives this one.
# Idempotent; needs root (as on the developers' machines and CI) or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "ensure-chromium: /usr/bin/chromium is missing and we are not root (install the 'chromium' package)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure-chromium: installing Debian's chromium (apt-get)…" >&2
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq chromium >&2
[ -x /usr/bin/chromium ] || { echo "ensure-chromium: apt-get finished but /usr/bin/chromium is still missing" >&2; exit 1; }

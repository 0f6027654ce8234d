#!/usr/bin/env bash
# Makes sure Debian's headless browser is here for the status page test (tests/api/status/browser.rs):
# `chromium` and `chromium-driver` (the WebDriver server the test drives). Installs them when missing.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  echo "chromium is installed: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
echo "installing chromium and chromium-driver from Debian's packages"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver fonts-dejavu-core >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
echo "chromium ready: $(chromium --version 2>/dev/null || echo unknown version)"

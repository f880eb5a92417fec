#!/usr/bin/env bash
# Headless Chromium for plugfair's browser tests (the dashboard suite).
#
#   bash .ci/chromium.sh   -> prints PLUGFAIR_TEST_CHROMIUM=1 and
#                             PLUGFAIR_CHROMIUM=<path of the browser>
#
# Installs Debian's chromium (apt) and playwright (PyPI) when missing, then
# launches the browser once to prove it works.  It never runs
# "playwright install": the browser comes from apt, not from a download.
# Starts no server; the tests start their own on 127.0.0.1.
# Adapted from shared/recipes/README.md.
set -euo pipefail
PYTHON=${PYTHON:-python3}
CHROMIUM=${PLUGFAIR_CHROMIUM:-/usr/bin/chromium}
export DEBIAN_FRONTEND=noninteractive
if [ ! -x "$CHROMIUM" ]; then
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
fi
if ! "$PYTHON" -c 'import playwright' 2>/dev/null; then
  "$PYTHON" -m pip install -q 'playwright>=1.40,<2' >&2
fi
"$PYTHON" - "$CHROMIUM" >&2 <<'PY'
import sys
from playwright.sync_api import sync_playwright

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path=sys.argv[1],
        args=["--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-quic"],
    )
    page = browser.new_page()
    page.set_content("<p id='x'>ok</p>")
    assert page.inner_text("#x") == "ok"
    print("chromium", browser.version, "works", file=sys.stderr)
    browser.close()
PY
echo "PLUGFAIR_TEST_CHROMIUM=1"
echo "PLUGFAIR_CHROMIUM=$CHROMIUM"

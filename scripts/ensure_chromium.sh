#!/usr/bin/env bash
# Install Debian's chromium (used headless by the browser tests through Playwright's
# executable_path) when /usr/bin/chromium is missing. Idempotent and quiet; never downloads a
# browser build of its own. Exits 0 when chromium is present afterwards, or when it cannot be
# installed (not root, no apt-get): the browser tests then skip themselves with a reason.
set -u
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: apt-get not found; browser tests will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure_chromium: not root; install chromium yourself (apt-get install chromium) or browser tests will be skipped" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq >/dev/null 2>&1; then
    echo "ensure_chromium: apt-get update failed; browser tests will be skipped" >&2
    exit 0
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1; then
    echo "ensure_chromium: apt-get install chromium failed; browser tests will be skipped" >&2
    exit 0
fi
[ -x "$CHROMIUM" ] || echo "ensure_chromium: $CHROMIUM still missing after install" >&2
exit 0

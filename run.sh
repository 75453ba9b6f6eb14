#!/usr/bin/env bash
# The two commands of the README:
#   ./run.sh demo   - install what is missing, then run the nightly job on the embedded default
#   ./run.sh test   - install what is missing, then run the test suite
# Also: ./run.sh check (ruff + mypy), ./run.sh arworker ARGS... (the CLI inside the venv).
# Works on a fresh Debian/Ubuntu machine with Python 3.11+: creates .venv, installs the project,
# and installs a Chromium (Playwright's own build where it can be downloaded, else Debian's).
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"

say() { printf 'run.sh: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1; fi
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  say "Python 3.11 or newer is required (apt-get install -y python3)"; return 1
}

ensure_venv() {
  if [ -x "$PY" ] && "$PY" -c 'import sys' 2>/dev/null; then return 0; fi
  local python; python=$(find_python)
  if ! "$python" -m venv "$VENV" 2>/dev/null; then
    say "python venv module missing: installing python3-venv"
    as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv
    rm -rf "$VENV"; "$python" -m venv "$VENV"
  fi
}

ensure_installed() {
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ -f "$stamp" ]; then return 0; fi
  say "installing arworker and its dependencies into $VENV"
  "$PY" -m pip install -q --upgrade pip
  "$PY" -m pip install -q -e '.[dev]'
  rm -f "$VENV"/.installed-*; touch "$stamp"
}

have_browser() { "$PY" -m connectors.portals.chromium >/dev/null 2>&1; }

ensure_browser() {
  if have_browser; then return 0; fi
  say "no Chromium found: trying Playwright's own build"
  local with_deps=()
  if [ "$(id -u)" = 0 ]; then with_deps=(--with-deps); fi
  timeout 600 "$PY" -m playwright install "${with_deps[@]}" chromium >/dev/null 2>&1 || true
  if have_browser; then return 0; fi
  say "Playwright's download is not available here: installing Debian's chromium package"
  if command -v apt-get >/dev/null; then
    as_root apt-get update -qq || true
    as_root apt-get install -y -qq chromium >/dev/null || as_root apt-get install -y -qq chromium-browser >/dev/null || true
  fi
  if ! have_browser; then
    say "no Chromium could be installed. Install one ('python -m playwright install chromium' or"
    say "'apt-get install chromium') or set ARWORKER_BROWSER__EXECUTABLE_PATH, then retry."
    return 1
  fi
}

ensure_postgres() {
  # The tests use PostgreSQL at 127.0.0.1:5432 when it is there; start it if installed and down.
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      say "starting the local PostgreSQL cluster"
      as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
  fi
}

cmd="${1:-help}"; shift || true
case "$cmd" in
  demo)
    ensure_venv; ensure_installed; ensure_browser
    exec "$VENV/bin/arworker" demo "$@" ;;
  test)
    ensure_venv; ensure_installed; ensure_browser; ensure_postgres
    exec "$VENV/bin/pytest" "$@" ;;
  check)
    ensure_venv; ensure_installed
    "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check . && "$VENV/bin/mypy" ;;
  arworker)
    ensure_venv; ensure_installed; ensure_browser
    exec "$VENV/bin/arworker" "$@" ;;
  *)
    echo "usage: ./run.sh demo | test | check | arworker ARGS..." >&2; exit 2 ;;
esac

# Shared setup steps for bin/test and bin/demo (sourced, not run).

setup_python() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import lti_tool, pylti1p3, lti1p3platform" # fail loudly if the install did not work
  # The .mo catalogues are built here, never committed: the .po files are the source.
  .venv/bin/pybabel -q compile -d lti_tool/translations
}

setup_node() {
  # Browser-side packages (axe-core for the accessibility checks, scorm-again for the player),
  # pinned in package-lock.json; node_modules is rebuilt only when the lock file changed.
  [ -f package.json ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: install Debian's npm package (or run as root)" >&2
    return 1
  fi
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    if [ -f package-lock.json ]; then
      npm ci --no-audit --no-fund --silent
    else
      npm install --no-audit --no-fund --silent
    fi
  fi
}

setup_system_packages() {
  local missing=()
  command -v pg_ctl >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/pg_ctl ] || missing+=(postgresql)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ -f package.json ]; then command -v npm >/dev/null 2>&1 || missing+=(npm); fi
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "missing Debian packages: ${missing[*]} (install them, or run as root)" >&2
    fi
  fi
  # The browser tests' Chromium: Debian's headless build of it when it can be had
  # (tests/browser/conftest.py); without it they run in the whole browser, more slowly.
  if ! command -v chromium-headless-shell >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1; } ||
      echo "chromium-headless-shell could not be installed: the browser tests use chromium" >&2
  fi
  setup_node
}

start_test_postgres() {
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PG_TMP="$(mktemp -d /tmp/learnpass-pg.XXXXXX)"
  local port=$(( 20000 + RANDOM % 20000 ))
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_TMP"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bindir/initdb" -D "$PG_TMP/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c fsync=off -c max_connections=200" start >/dev/null
  TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  trap 'stop_test_postgres' EXIT
  export TEST_PG_URL
}

stop_test_postgres() {
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_TMP/data" -m fast stop >/dev/null 2>&1 || true
    else
      "$bindir/pg_ctl" -D "$PG_TMP/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
  fi
}

setup_ralph() {
  # A second LRS (Ralph) in its own venv for the forwarding tests; its pins clash with ours.
  if ! .ralph-venv/bin/python -c "import ralph.backends.lrs.fs, uvicorn, bcrypt" >/dev/null 2>&1; then
    python3 -m venv .ralph-venv
    .ralph-venv/bin/python -m pip install --quiet --disable-pip-version-check \
      "ralph-malph[lrs,cli]==5.1.0" requests "pydantic>=2.12,<2.13" 2>&1 | grep -v "^WARNING: Location" || true
  fi
  export LEARNPASS_TEST_RALPH_PYTHON="$PWD/.ralph-venv/bin/python"
}

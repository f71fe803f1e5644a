# shellcheck shell=bash
# Shared by the test scripts that run the built services (Tests/browser/run, Tests/fuzz/run):
# a cached Python environment, a fresh demo database on the test server, readiness of a
# service. Source it after common.sh and postgres.sh; it defines functions only.

# ensure_python_venv VENV CHECK -- PIP_ARGS...: makes VENV (a virtual environment that also
# sees the system's packages) and pip-installs PIP_ARGS into it, unless `VENV/bin/python -c
# CHECK` already succeeds (the environment is cached between runs).
ensure_python_venv() {
    local venv="$1" check="$2"
    shift 3
    "$venv/bin/python" -c "$check" 2>/dev/null && return 0
    log "preparing the Python environment in $venv"
    if ! python3 -m venv --system-site-packages "$venv" >/dev/null 2>&1; then
        ensure_packages python3-venv python3-pip
        python3 -m venv --system-site-packages "$venv" || die "could not create $venv"
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" </dev/null \
        || die "pip install $* failed"
}

# TEST_DB_SERVER_URL: the server the test database is made on; TEST_DB_NAME: its name, once made.
TEST_DB_SERVER_URL=""
TEST_DB_NAME=""

# create_demo_database PREFIX BIN_DIR LOGFILE: creates a fresh database on the server
# DATABASE_URL points at, points DATABASE_URL (exported) at it, and runs `chatctl migrate` and
# `chatctl seed-demo` (their output in LOGFILE). drop_test_database removes it.
create_demo_database() {
    local prefix="$1" bin_dir="$2" logfile="$3"
    [ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set (a PostgreSQL server to create the test database on)"
    command -v psql >/dev/null 2>&1 || ensure_packages postgresql-client
    TEST_DB_SERVER_URL="$DATABASE_URL"
    TEST_DB_NAME="${prefix}_$$_$RANDOM"
    psql "$TEST_DB_SERVER_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$TEST_DB_NAME\"" </dev/null >/dev/null \
        || { TEST_DB_NAME=""; die "could not create a test database"; }
    DATABASE_URL="$(python3 - "$TEST_DB_SERVER_URL" "$TEST_DB_NAME" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(sys.argv[1])
print(urlunsplit((url.scheme, url.netloc, "/" + sys.argv[2], url.query, url.fragment)))
PY
)"
    export DATABASE_URL
    log "database $TEST_DB_NAME: migrate, seed-demo"
    "$bin_dir/chatctl" migrate </dev/null >"$logfile" 2>&1 \
        || { cat "$logfile" >&2; die "chatctl migrate failed"; }
    "$bin_dir/chatctl" seed-demo </dev/null >>"$logfile" 2>&1 \
        || { cat "$logfile" >&2; die "chatctl seed-demo failed"; }
}

# drop_test_database: drops the database create_demo_database made (for EXIT traps).
drop_test_database() {
    [ -n "$TEST_DB_NAME" ] || return 0
    psql "$TEST_DB_SERVER_URL" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$TEST_DB_NAME\" WITH (FORCE)" \
        </dev/null >/dev/null 2>&1 || log "warning: could not drop database $TEST_DB_NAME"
    TEST_DB_NAME=""
}

# demo_user ROLE: the id of the first active demo user with that role.
demo_user() {
    psql "$DATABASE_URL" -qAt -v ON_ERROR_STOP=1 </dev/null \
        -c "SELECT id FROM chat.users WHERE role = '$1' AND active ORDER BY id LIMIT 1"
}

# service_ready PORT: true when GET /readyz on that loopback port answers 200.
service_ready() {
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$1/readyz" >/dev/null 2>&1
}

# stop_processes PID...: SIGTERM to each, then waits for each up to 15 s before SIGKILL.
stop_processes() {
    local pid deadline
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        deadline=$((SECONDS + 15))
        while is_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

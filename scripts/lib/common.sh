# shellcheck shell=bash
# Shared by scripts/test and scripts/run (and by Tests/browser/run if it wants them):
# logging, Debian package installs, running a command as the PostgreSQL owner.
# Source it; it defines functions only.

# The project's root folder (the parent of scripts/).
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# log MESSAGE...: one line on stderr, prefixed with the calling script's name.
log() { printf '[%s] %s\n' "${LOG_PREFIX:-$(basename "$0")}" "$*" >&2; }

# die MESSAGE...: log and exit 1.
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# wait_for_http URL: waits until something answers at URL (any status), at most 20 s (then dies).
wait_for_http() {
    local url="$1" tries=0
    until curl -s -o /dev/null "$url"; do
        tries=$((tries + 1))
        [ "$tries" -lt 200 ] || die "nothing answers at $url"
        sleep 0.1
    done
}

# start_chat_api [VAR=VALUE...]: starts "$BIN/chat-api" on a free port with the benchmarks'
# settings (no send rate limit, warnings only) plus the environment given, logging to
# "$WORK/chat-api.log"; sets API_PORT and API_PID once it answers /readyz. Another port is tried
# when the chosen one was taken meanwhile (5 attempts, then it dies).
start_chat_api() {
    local attempt tries
    for attempt in 1 2 3 4 5; do
        API_PORT="$(pg_free_port)"
        env API_PORT="$API_PORT" CHAT_SERVICE_KEY="bench-service-key-0123456789" \
            CHAT_ATTACHMENT_SECRET="bench-attachment-secret-0123456789abcdef" SEND_RATE_PER_SECOND=0 LOG_LEVEL=warning "$@" \
            "$BIN/chat-api" > "$WORK/chat-api.log" 2>&1 &
        API_PID="$!"
        tries=0
        while kill -0 "$API_PID" 2>/dev/null; do
            if curl -s -o /dev/null "http://127.0.0.1:$API_PORT/readyz"; then
                sleep 0.2  # whoever answered, chat-api must still be alive (it exits if the bind failed)
                kill -0 "$API_PID" 2>/dev/null && return 0
            fi
            tries=$((tries + 1))
            [ "$tries" -lt 200 ] || break
            sleep 0.1
        done
        kill "$API_PID" 2>/dev/null || true
        wait "$API_PID" 2>/dev/null || true
        log "chat-api did not start on port $API_PORT (attempt $attempt): $(tail -n 1 "$WORK/chat-api.log")"
    done
    die "chat-api did not start"
}

_APT_UPDATED=0

# ensure_packages PKG...: installs the Debian packages that are missing.
# The ONE place scripts install system software: call it with what your part needs
# (scripts/test lists the test run's packages in TEST_PACKAGES). As root it runs
# `apt-get update` once (only when something is missing) and installs without questions;
# as another user it stops with the command to run. On a system without dpkg it only warns:
# the commands that need the software fail later with their own message.
ensure_packages() {
    local missing=() pkg
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "warning: not a Debian system, cannot check packages: $*"
        return 0
    fi
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! is_root; then
        die "missing Debian packages: ${missing[*]} (install them: sudo apt-get install -y ${missing[*]})"
    fi
    log "installing Debian packages: ${missing[*]}"
    if [ "$_APT_UPDATED" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2 || die "apt-get update failed"
        _APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        </dev/null >&2 || die "apt-get install ${missing[*]} failed"
}

# SWIFT_SCRATCH_ARGS: `--scratch-path DIR` for every swift command when SWIFT_SCRATCH_PATH is
# set (developers sharing a machine build in their own folder); empty otherwise, so CI builds
# in the default .build.
SWIFT_SCRATCH_ARGS=()
if [ -n "${SWIFT_SCRATCH_PATH:-}" ]; then
    SWIFT_SCRATCH_ARGS=(--scratch-path "$SWIFT_SCRATCH_PATH")
fi

# is_running PID: true while the process runs (an exited child not yet reaped by `wait` is a
# zombie, which `kill -0` still finds).
is_running() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [ "${stat:0:1}" != Z ]
}

# The process group run_supervised is running, and its watchdog: for stop_supervised.
SUPERVISED_GROUP=""
SUPERVISED_WATCHDOG=""

# run_supervised SECONDS LOGFILE CMD...: runs CMD (stdin closed) in a process group of its own,
# its output shown and copied to LOGFILE, and returns its status. The whole group (CMD and
# every process it started) gets SIGTERM after SECONDS, SIGKILL 30 s later, or at once when
# the caller's trap calls stop_supervised. Why not `timeout CMD | tee`: bash runs a trap only
# after a foreground command ends, so a SIGTERM or Ctrl-C sent to the script would wait for the
# whole test run; here the script only waits (`wait` returns on a signal) and can stop it.
run_supervised() {
    local seconds="$1" logfile="$2" status=0 started=$SECONDS
    shift 2
    # shellcheck disable=SC2016 # expanded by the inner bash
    setsid bash -c '"$@" </dev/null 2>&1 | tee "$0"; exit "${PIPESTATUS[0]}"' "$logfile" "$@" &
    SUPERVISED_GROUP=$!
    # shellcheck disable=SC2016 # expanded by the inner bash
    setsid bash -c 'sleep "$1"; kill -TERM -- "-$2" 2>/dev/null; sleep 30; kill -KILL -- "-$2" 2>/dev/null' \
        watchdog "$seconds" "$SUPERVISED_GROUP" </dev/null >/dev/null 2>&1 &
    SUPERVISED_WATCHDOG=$!
    wait "$SUPERVISED_GROUP" || status=$?
    kill -TERM -- "-$SUPERVISED_WATCHDOG" 2>/dev/null || true
    wait "$SUPERVISED_WATCHDOG" 2>/dev/null || true
    SUPERVISED_GROUP="" SUPERVISED_WATCHDOG=""
    if [ "$status" -ne 0 ] && [ $((SECONDS - started)) -ge "$seconds" ]; then
        log "stopped after the $seconds s limit: $*"
    fi
    return "$status"
}

# stop_supervised: stops what run_supervised is running (for EXIT/INT/TERM traps).
stop_supervised() {
    if [ -n "$SUPERVISED_WATCHDOG" ]; then
        kill -TERM -- "-$SUPERVISED_WATCHDOG" 2>/dev/null || true
    fi
    if [ -n "$SUPERVISED_GROUP" ]; then
        log "stopping the running step"
        kill -TERM -- "-$SUPERVISED_GROUP" 2>/dev/null || true
        local deadline=$((SECONDS + 20))
        while is_running "$SUPERVISED_GROUP" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
        kill -KILL -- "-$SUPERVISED_GROUP" 2>/dev/null || true
        SUPERVISED_GROUP=""
    fi
}

# release_bin_dir PRODUCT...: prints the folder holding the built PRODUCTs. With CHAT_BIN_DIR
# set it only checks that they are there (any configuration: the test command passes its debug
# build, so nothing is built twice); otherwise it builds them in release configuration
# (build output on stderr).
release_bin_dir() {
    local dir product
    if [ -n "${CHAT_BIN_DIR:-}" ]; then
        dir="$CHAT_BIN_DIR"
        log "using the binaries in $dir (CHAT_BIN_DIR)"
    else
        log "building release binaries (swift build -c release ${SWIFT_SCRATCH_ARGS[*]})"
        for product in "$@"; do # swift build builds only its last --product
            swift build -c release --product "$product" "${SWIFT_SCRATCH_ARGS[@]}" </dev/null >&2 \
                || die "the build failed"
        done
        dir="$(swift build -c release --show-bin-path "${SWIFT_SCRATCH_ARGS[@]}")"
    fi
    for product in "$@"; do
        [ -x "$dir/$product" ] || die "$dir/$product was not built"
    done
    printf '%s\n' "$dir"
}

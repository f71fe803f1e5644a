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

# shellcheck shell=bash
# A private PostgreSQL cluster on loopback, for scripts/test (throwaway) and scripts/run
# (kept in .pgdata/). Source scripts/lib/common.sh first.
#
# initdb and pg_ctl refuse to run as root, so as root every server command runs as the
# `postgres` user (created by Debian's postgresql-common) and the cluster's folder belongs to it.
# Settings are PostgreSQL's durable defaults (fsync, full_page_writes and synchronous_commit
# stay on) plus loopback-only listening and room for 300 connections.

# pg_bin_dir: prints the folder holding initdb and pg_ctl (PostgreSQL 15 on Debian; PG_BIN
# overrides; else whatever initdb is on PATH).
pg_bin_dir() {
    local dir
    for dir in "${PG_BIN:-}" /usr/lib/postgresql/15/bin; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    if dir="$(command -v initdb 2>/dev/null)"; then
        dirname "$dir"
        return 0
    fi
    die "PostgreSQL server binaries not found (install Debian's postgresql, or set PG_BIN to the folder with initdb)"
}

# as_pg_owner CMD...: runs CMD as the user who owns clusters: `postgres` when we are root
# (from /, since it may not enter our folder: pass absolute paths), ourselves otherwise.
as_pg_owner() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# pg_prepare_dir DIR: creates DIR (if needed) owned by the cluster owner.
pg_prepare_dir() {
    mkdir -p "$1"
    if is_root; then
        getent passwd postgres >/dev/null || die "no 'postgres' user: install Debian's postgresql"
        chown postgres: "$1"
        as_pg_owner test -w "$1" -a -x "$1" \
            || die "user postgres cannot use $1 (a parent folder is closed to it)"
    fi
}

# pg_run_root PROJECT_DIR: prints the folder of scripts/run's kept cluster for the project:
# PROJECT_DIR/.pgdata, unless we are root and the `postgres` user cannot reach PROJECT_DIR (a
# clone under /root or in a mode-700 folder); then ~postgres/chat-run/NAME-HASH, one per
# project path (HASH: the path's SHA-256, so two clones never share a cluster), whose parent
# it creates.
pg_run_root() {
    local project="$1" home hash
    if ! is_root || runuser -u postgres -- test -x "$project" 2>/dev/null; then
        printf '%s\n' "$project/.pgdata"
        return 0
    fi
    home="$(getent passwd postgres | cut -d: -f6)"
    [ -n "$home" ] && [ -d "$home" ] || die "no 'postgres' user with a home folder: install Debian's postgresql"
    install -d -o postgres -g postgres -m 0755 "$home/chat-run"
    hash="$(printf '%s' "$project" | sha256sum | cut -c1-12)"
    printf '%s\n' "$home/chat-run/$(basename "$project")-$hash"
}

# pg_port_is_free PORT: true when nothing accepts connections on 127.0.0.1:PORT.
pg_port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pg_free_port: prints a loopback port nobody listens on, picked at random below the kernel's
# ephemeral range (ip_local_port_range; 10000-32767 by default). A port inside that range can be
# taken at any moment as the local end of some outgoing connection, and a service that binds it
# then fails with "Address already in use": seen when the test command ran beside other loads.
pg_free_port() {
    local port _ low=32768
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    [ "$low" -gt 12000 ] 2>/dev/null || low=32768
    for _ in $(seq 1 50); do
        port=$((10000 + RANDOM % (low - 10000)))
        if pg_port_is_free "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    die "no free loopback port found"
}

# pg_cluster_create DATADIR: initdb a new cluster (superuser `postgres`, trust auth on loopback
# and the socket, UTF-8) whose socket lives in DATADIR itself.
pg_cluster_create() {
    local datadir="$1" bin
    bin="$(pg_bin_dir)"
    pg_prepare_dir "$datadir"
    as_pg_owner "$bin/initdb" -D "$datadir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$datadir.initdb.log" 2>&1 \
        || { cat "$datadir.initdb.log" >&2; die "initdb failed in $datadir"; }
    rm -f "$datadir.initdb.log"
    as_pg_owner tee -a "$datadir/postgresql.conf" >/dev/null <<EOF

# Set by scripts/lib/postgres.sh: a private cluster on loopback.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$datadir'
max_connections = 300
EOF
}

# pg_cluster_start DATADIR PORT LOGFILE: starts the cluster on 127.0.0.1:PORT and waits
# until it accepts connections. The server runs in its own session, so a Ctrl-C meant for the
# calling script does not reach it: the script stops it last, after what uses it.
pg_cluster_start() {
    local datadir="$1" port="$2" logfile="$3" bin
    bin="$(pg_bin_dir)"
    if ! as_pg_owner setsid -w "$bin/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 -o "-p $port" start >/dev/null; then
        tail -n 20 "$logfile" >&2 2>/dev/null || true
        die "PostgreSQL did not start on 127.0.0.1:$port (log: $logfile)"
    fi
}

# pg_cluster_stop DATADIR: stops the cluster if it runs (fast: ends sessions, clean checkpoint).
pg_cluster_stop() {
    local datadir="$1" bin
    [ -f "$datadir/postmaster.pid" ] || return 0
    bin="$(pg_bin_dir)"
    as_pg_owner "$bin/pg_ctl" -D "$datadir" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || as_pg_owner "$bin/pg_ctl" -D "$datadir" -m immediate -w -t 10 stop >/dev/null 2>&1 \
        || log "warning: could not stop PostgreSQL in $datadir"
}

# pg_url PORT [DBNAME]: the libpq URI of a private cluster's superuser.
pg_url() {
    printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$1" "${2:-postgres}"
}

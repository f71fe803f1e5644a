# shellcheck shell=bash
# A local PostgreSQL HA cluster on loopback, for scripts/run-ha and Tests/ha/run: one etcd and
# three PostgreSQL 15 nodes under Patroni (Debian packages `patroni`, `etcd-server`), with
# synchronous mode (one synchronous standby: a commit is acknowledged only once a standby has
# flushed it, and Patroni promotes only that standby), pg_rewind for a former primary that
# rejoins, and failover at once after the primary's PostgreSQL dies (primary_start_timeout 0).
# Source scripts/lib/common.sh and scripts/lib/postgres.sh first.
#
# Ports, from HA_BASE_PORT (B): etcd client B, peer B+1; PostgreSQL B+2..B+4; Patroni REST API
# B+5..B+7. Every process runs in its own session (a Ctrl-C for the caller does not reach it);
# Patroni and PostgreSQL run as the cluster owner (`postgres` when we are root).

HA_NODES=(node1 node2 node3)
HA_SCOPE=chat-ha

ha_ensure_packages() {
    ensure_packages postgresql etcd-server patroni
}

# ha_ports BASE: sets HA_ETCD_PORT, HA_ETCD_PEER_PORT, HA_PG_PORTS[], HA_REST_PORTS[].
ha_ports() {
    local base="$1" i
    HA_ETCD_PORT=$base
    HA_ETCD_PEER_PORT=$((base + 1))
    HA_PG_PORTS=() HA_REST_PORTS=()
    for i in 0 1 2; do
        HA_PG_PORTS+=($((base + 2 + i)))
        HA_REST_PORTS+=($((base + 5 + i)))
    done
}

# ha_free_base: prints a base port whose eight ports are free.
ha_free_base() {
    local base port free _
    for _ in $(seq 1 50); do
        base=$((20000 + (RANDOM % 1200) * 10)) # below the ephemeral range (32768-), where a client socket could hold one
        free=1
        for port in $(seq "$base" $((base + 7))); do
            pg_port_is_free "$port" || { free=0; break; }
        done
        [ "$free" = 1 ] && { printf '%s\n' "$base"; return 0; }
    done
    die "no free run of eight loopback ports found"
}

# ha_url DBNAME [TARGET_SESSION_ATTRS]: the multi-host libpq URL of the three nodes.
ha_url() {
    printf 'postgres://postgres@127.0.0.1:%s,127.0.0.1:%s,127.0.0.1:%s/%s?target_session_attrs=%s\n' \
        "${HA_PG_PORTS[0]}" "${HA_PG_PORTS[1]}" "${HA_PG_PORTS[2]}" "$1" "${2:-read-write}"
}

# ha_patroni_config DIR I: writes DIR/nodeI.yml for node I (0-2).
ha_patroni_config() {
    local dir="$1" i="$2" name="${HA_NODES[$2]}"
    cat >"$dir/$name.yml" <<EOF
scope: $HA_SCOPE
name: $name
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:${HA_REST_PORTS[$i]}
  connect_address: 127.0.0.1:${HA_REST_PORTS[$i]}
etcd3:
  hosts: 127.0.0.1:$HA_ETCD_PORT
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    primary_start_timeout: 0
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 300
        wal_log_hints: 'on'
        wal_keep_size: 256MB
        hot_standby: 'on'
        hot_standby_feedback: 'on'
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - username: postgres
postgresql:
  pg_hba: # node-local, so Patroni rewrites it at every start (also after pg_rewind)
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
  listen: 127.0.0.1:${HA_PG_PORTS[$i]}
  connect_address: 127.0.0.1:${HA_PG_PORTS[$i]}
  data_dir: $dir/$name/data
  bin_dir: $(pg_bin_dir)
  pgpass: $dir/$name/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: postgres
    rewind:
      username: postgres
  parameters:
    unix_socket_directories: '$dir/$name'
EOF
}

# ha_spawn LOGFILE PIDFILE CMD...: starts CMD as the cluster owner in its own session; records its pid.
ha_spawn() {
    local logfile="$1" pidfile="$2"
    shift 2
    if is_root; then
        setsid setpriv --reuid=postgres --regid=postgres --init-groups -- "$@" </dev/null >>"$logfile" 2>&1 &
    else
        setsid "$@" </dev/null >>"$logfile" 2>&1 &
    fi
    echo $! >"$pidfile"
}

# ha_cluster_start DIR BASE: etcd and the three nodes (created on first use in DIR, kept);
# waits until there is a leader with a synchronous standby (or dies).
ha_cluster_start() {
    local dir="$1" i name
    HA_DIR="$dir"
    ha_ports "$2"
    pg_prepare_dir "$dir"
    for port in $(seq "$2" $(($2 + 7))); do
        pg_port_is_free "$port" || die "port $port is in use (set HA_BASE_PORT to another)"
    done
    ha_spawn "$dir/etcd.log" "$dir/etcd.pid" etcd --name ha --data-dir "$dir/etcd" \
        --listen-client-urls "http://127.0.0.1:$HA_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$HA_ETCD_PORT" \
        --listen-peer-urls "http://127.0.0.1:$HA_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$HA_ETCD_PEER_PORT" \
        --initial-cluster "ha=http://127.0.0.1:$HA_ETCD_PEER_PORT"
    for i in 0 1 2; do
        name="${HA_NODES[$i]}"
        pg_prepare_dir "$dir/$name"
        ha_patroni_config "$dir" "$i"
        ha_spawn "$dir/$name.log" "$dir/$name.pid" patroni "$dir/$name.yml"
        # The first node bootstraps alone, so it is the first leader and the others clone it.
        [ "$i" = 0 ] && ha_wait_for_role leader 90
    done
    ha_wait_for_role sync_standby 120
}

# ha_cluster_json: Patroni's cluster view (GET /cluster from any node's REST API).
ha_cluster_json() {
    local port
    for port in "${HA_REST_PORTS[@]}"; do
        curl -fsS --max-time 2 "http://127.0.0.1:$port/cluster" 2>/dev/null && return 0
    done
    return 1
}

# ha_role_port ROLE: prints the PostgreSQL port of the member with ROLE (leader, sync_standby).
ha_role_port() {
    ha_cluster_json | python3 -c '
import json, sys
role = sys.argv[1]
for m in json.load(sys.stdin)["members"]:
    if m["role"] == role and m.get("state") in ("running", "streaming"):
        print(m["port"]); break
else:
    sys.exit(1)' "$1"
}

# ha_wait_for_role ROLE SECONDS: waits until a running member has ROLE (leader, sync_standby).
ha_wait_for_role() {
    local deadline=$((SECONDS + $2))
    until ha_role_port "$1" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "no Patroni $1 after $2 s (logs: $HA_DIR/*.log)"
        sleep 0.5
    done
}

# ha_patronictl ARGS...: patronictl against this cluster.
ha_patronictl() {
    patronictl -c "$HA_DIR/${HA_NODES[0]}.yml" "$@"
}

# ha_cluster_stop DIR: stops the Patroni nodes together (each stops its PostgreSQL), then etcd.
ha_cluster_stop() {
    local dir="$1" pidfile pid deadline node pids=()
    for pidfile in "$dir"/node*.pid; do
        [ -f "$pidfile" ] || continue
        pids+=("$(cat "$pidfile")")
        kill -TERM "${pids[-1]}" 2>/dev/null || true
    done
    deadline=$((SECONDS + 30))
    for pid in "${pids[@]}"; do
        while is_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    for node in "${HA_NODES[@]}"; do
        [ -f "$dir/$node/data/postmaster.pid" ] && pg_cluster_stop "$dir/$node/data"
    done
    if [ -f "$dir/etcd.pid" ]; then
        pid="$(cat "$dir/etcd.pid")"
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while is_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir"/node*.pid "$dir/etcd.pid"
    return 0
}

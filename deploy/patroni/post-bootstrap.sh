#!/bin/sh
# Patroni runs this once, on the node that initialized the cluster, with a connection string as
# $1: the application's role (allowed to read pg_stat_replication, which the gateway needs to
# stream only what the synchronous standby has) and its database.
set -eu
psql "$1" -v ON_ERROR_STOP=1 -v password="$CHAT_DB_PASSWORD" <<'SQL'
CREATE ROLE chat LOGIN PASSWORD :'password' IN ROLE pg_monitor;
CREATE DATABASE chat OWNER chat;
SQL

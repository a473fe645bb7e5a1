#!/usr/bin/env bash
# A private, throwaway PostgreSQL server for tests: loopback only, trust auth, no durability.
#
#   scripts/postgres-server.sh start DIR   initdb into DIR, start, print the test database URL
#                                          postgresql://ceasefire:PASSWORD@127.0.0.1:PORT/ceasefire
#   scripts/postgres-server.sh stop DIR    stop the server in DIR (DIR itself stays)
#   scripts/postgres-server.sh mktemp      make and print a fresh DIR, in RAM when there is room
#   scripts/postgres-server.sh bindir      print the server binaries' directory; exit 1 if none
#
# Binaries: `postgres` on PATH, else the newest /usr/lib/postgresql/*/bin (Debian `postgresql`).
# The server refuses to run as root, so as root it runs as the `postgres` user and DIR is chowned
# to it. The role `ceasefire` (LOGIN CREATEDB, no superuser) owns the database `ceasefire`.
# TCP logins need its password, as on a real server, so a wrong one is refused (tests check the
# error line); the unix socket in DIR, used only to set up, trusts the local user.
set -euo pipefail

ROLE=ceasefire
DATABASE=ceasefire
PASSWORD=loopback-test-only  # a throwaway server on 127.0.0.1; nothing secret behind it

bindir() {
    local exe
    if exe=$(command -v postgres); then
        dirname "$(readlink -f "$exe")"  # for a link on PATH, initdb sits beside its target
        return
    fi
    exe=$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)
    [[ -x $exe ]] || return 1
    dirname "$exe"
}

# CREATE DATABASE (one per test) takes ~10 ms on tmpfs and 50-200 ms on disk even without fsync.
# The cluster, its WAL (capped below) and a few test databases need well under 1 GB.
scratch_dir() {
    local shm_free_kb
    shm_free_kb=$(df --output=avail -k /dev/shm 2>/dev/null | tail -n 1) || shm_free_kb=0
    if [[ -w /dev/shm ]] && ((shm_free_kb > 1024 * 1024)); then
        mktemp -d -p /dev/shm ceasefire-pg.XXXXXX
    else
        mktemp -d -t ceasefire-pg.XXXXXX
    fi
}

# Run a server command as a user it accepts, from a directory that user can read.
as_owner() {
    if [[ $(id -u) == 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local dir bin port
    dir=$(readlink -f "$1")
    bin=$(bindir) || { echo "postgres-server: no PostgreSQL server binaries found" >&2; exit 1; }
    mkdir -p "$dir"
    if [[ $(id -u) == 0 ]]; then
        chown postgres: "$dir" || { echo "postgres-server: as root, needs the user postgres" >&2; exit 1; }
    fi
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions >"$dir/initdb.log" \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 128MB
CONF
    # The port is free when we look, but another process may take it before the server binds.
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --options="-p $port" \
            --wait --timeout=60 --silent start >/dev/null; then
            as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
                -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
            echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
            return
        fi
    done
    echo "postgres-server: the server did not start; $dir/server.log says:" >&2
    tail -n 20 "$dir/server.log" >&2
    exit 1
}

stop() {
    local dir
    dir=$(readlink -f "$1")
    [[ -f $dir/data/postmaster.pid ]] || return 0  # never started, or already stopped
    as_owner "$(bindir)/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --silent stop
}

case "${1:-}" in
    start) start "${2:?usage: $0 start DIR}" ;;
    stop) stop "${2:?usage: $0 stop DIR}" ;;
    mktemp) scratch_dir ;;
    bindir) bindir ;;
    *) echo "usage: $0 start DIR | stop DIR | mktemp | bindir" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test suite.
#
#   .ci/postgres.sh start   start one (if needed) and print its URL
#   .ci/postgres.sh url     print the URL of the running one
#   .ci/postgres.sh stop    stop it and delete its data
#
# When COMPENGINE_TEST_PG_URL is already set, that server is used as it is:
# start and url print it and stop leaves it alone. Otherwise the cluster lives in a
# temporary directory, listens on a free port of 127.0.0.1 only, trusts local
# connections and skips fsync: it holds nothing worth keeping. Its location is
# remembered in .pg/cluster so that `stop` finds it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state_file="$repo/.pg/cluster"

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq update >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq install -y "$@" >&2
}

# Prints the directory holding initdb, pg_ctl and postgres, or nothing.
find_bindir() {
    local candidates="" dir
    if command -v pg_config >/dev/null 2>&1; then
        candidates=$(pg_config --bindir)
    fi
    # Debian and Ubuntu keep the server outside PATH; take the newest version.
    candidates="$candidates $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)"
    if command -v initdb >/dev/null 2>&1; then
        candidates="$candidates $(dirname "$(command -v initdb)")"
    fi
    for dir in $candidates; do
        if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
            echo "$dir"
            return
        fi
    done
}

server_bindir() {
    local dir
    dir=$(find_bindir)
    if [[ -z $dir ]]; then
        if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "PostgreSQL server binaries not found: installing them with apt-get"
            apt_install postgresql
            dir=$(find_bindir)
        fi
        [[ -n $dir ]] || die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found.
Install them (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql)
or set COMPENGINE_TEST_PG_URL to a server you already run."
    fi
    echo "$dir"
}

# PostgreSQL refuses to run as root, so root hands the cluster to `postgres`.
server_user() {
    if [[ $EUID -ne 0 ]]; then
        id -un
        return
    fi
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
    fi
    echo postgres
}

as_server_user() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

url_for_port() {
    echo "postgresql+psycopg://postgres@127.0.0.1:$1/postgres"
}

start() {
    if [[ -n ${COMPENGINE_TEST_PG_URL:-} ]]; then
        echo "$COMPENGINE_TEST_PG_URL"
        return
    fi
    if [[ -f $state_file ]]; then
        # A server of an earlier run that was not stopped (killed shell, ...).
        stop
    fi
    local bindir user dir port attempt
    bindir=$(server_bindir)
    user=$(server_user)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/compengine-pg.XXXXXX")
    chown "$user" "$dir"
    as_server_user "$bindir/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C --no-sync --no-instructions >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
    mkdir -p "$(dirname "$state_file")"
    # Another process may take the free port before the server binds it: try again.
    for attempt in 1 2 3; do
        port=$(free_port)
        printf 'dir=%s\nbindir=%s\nport=%s\n' "$dir" "$bindir" "$port" >"$state_file"
        if as_server_user "$bindir/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" \
            --wait --timeout=60 --silent start --options="-p $port -k $dir \
            -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" >&2; then
            url_for_port "$port"
            return
        fi
        say "server did not start on port $port (attempt $attempt)"
    done
    cat "$dir/server.log" >&2
    stop
    die "could not start PostgreSQL"
}

url() {
    if [[ -n ${COMPENGINE_TEST_PG_URL:-} ]]; then
        echo "$COMPENGINE_TEST_PG_URL"
        return
    fi
    [[ -f $state_file ]] || die "no server is running (run: $0 start)"
    local port
    port=$(sed -n 's/^port=//p' "$state_file")
    url_for_port "$port"
}

stop() {
    [[ -f $state_file ]] || return 0
    local dir bindir
    dir=$(sed -n 's/^dir=//p' "$state_file")
    bindir=$(sed -n 's/^bindir=//p' "$state_file")
    if [[ -f $dir/data/postmaster.pid ]]; then
        as_server_user "$bindir/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait \
            --silent stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir" "$state_file"
    rmdir "$(dirname "$state_file")" 2>/dev/null || true
}

case "${1:-}" in
    start) start ;;
    url) url ;;
    stop) stop ;;
    *) die "usage: $0 start|url|stop" ;;
esac

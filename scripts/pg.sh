# shellcheck shell=bash
# Starts and stops a throwaway PostgreSQL cluster from the machine's binaries, installing Debian's postgresql
# package when none is found. Sourced by test.sh, run.sh and the benchmark; not run on its own.
#
#   pg_start DIR [extra postgres -c settings...]   sets PG_PORT, PG_CONNECTION (Npgsql form) and PG_DATA
#   pg_stop                                        stops the cluster pg_start started
#
# initdb refuses to run as root, so as root the cluster belongs to the postgres user.

pg_log() { printf '%s\n' "$*" >&2; }

pg_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

pg_install() {
  pg_log "PostgreSQL was not found; installing Debian's postgresql package..."
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      pg_log "error: PostgreSQL 15 or newer is needed and this user cannot install it (not root, no sudo)."
      pg_log "       Install it with: apt-get install postgresql   (or set EFJOBS_TEST_CONNECTION / EFJOBS_CONNECTION)"
      return 1
    fi
  fi
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-contrib >/dev/null; }; then
    pg_log "error: 'apt-get install postgresql' failed; install PostgreSQL 15 or newer and run again."
    return 1
  fi
}

pg_free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

# Runs a command as the cluster's owner: postgres when we are root, ourselves otherwise.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  PG_DATA="$1"; shift
  PG_BIN=$(pg_bindir) || { pg_install && PG_BIN=$(pg_bindir); } || { pg_log "error: no PostgreSQL binaries after install"; return 1; }
  local version
  version=$("$PG_BIN/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
  if [ "$version" -lt 15 ]; then pg_log "error: PostgreSQL $version found in $PG_BIN; EfJobs needs 15 or newer."; return 1; fi

  mkdir -p "$PG_DATA"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DATA"; chmod 700 "$PG_DATA"; fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DATA.initdb.log" 2>&1 \
      || { pg_log "error: initdb failed:"; cat "$PG_DATA.initdb.log" >&2; return 1; }
  fi
  PG_PORT=${PG_PORT:-$(pg_free_port)}
  local options="-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=400"
  for setting in "$@"; do options="$options -c $setting"; done
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -o "$options" -w -t 60 start >/dev/null; then
    pg_log "error: PostgreSQL did not start; its log:"; tail -n 30 "$PG_DATA/server.log" >&2; return 1
  fi
  PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  export PG_BIN PG_DATA PG_PORT PG_CONNECTION
}

pg_stop() {
  if [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

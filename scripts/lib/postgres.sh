# shellcheck shell=bash
# Sourced by ./portal test: a throw-away PostgreSQL from Debian's `postgresql`
# package on a free loopback port, data in a temp folder. Exports POSTGRES_*
# (as app-config.production.yaml reads them) and the connection string
# Backstage's TestDatabases uses for PostgreSQL.

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

ensure_postgres_installed() {
  if [[ -z "$(pg_bin_dir)" ]]; then
    log "installing PostgreSQL from Debian (apt-get install postgresql) ..."
    command -v apt-get >/dev/null || die "PostgreSQL is missing and apt-get is not available; install PostgreSQL 13+ yourself"
    apt_install postgresql
  fi
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_postgres() {
  ensure_postgres_installed
  local bin
  bin="$(pg_bin_dir)"
  pg_dir="$(mktemp -d /tmp/portal-pg.XXXXXX)"
  pg_port="$(free_port)"
  local password
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$pg_dir/pwfile"
  # initdb refuses to run as root: run the server as Debian's postgres user then.
  pg_as=()
  if [[ "$(id -u)" == 0 ]]; then
    pg_as=(runuser -u postgres --)
    chown -R postgres "$pg_dir"
  fi
  log "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data in $pg_dir) ..."
  "${pg_as[@]}" "$bin/initdb" -D "$pg_dir/data" -U postgres --auth-host=scram-sha-256 --auth-local=trust \
    --pwfile="$pg_dir/pwfile" >"$pg_dir/initdb.log" 2>&1 || die "initdb failed; see $pg_dir/initdb.log"
  "${pg_as[@]}" "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200 -c fsync=off" start >/dev/null ||
    die "PostgreSQL did not start; see $pg_dir/server.log"
  export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$pg_port" POSTGRES_USER=postgres POSTGRES_PASSWORD="$password"
  local major
  major="$("$bin/postgres" --version | awk '{print $3}' | cut -d. -f1)"
  export "BACKSTAGE_TEST_DATABASE_POSTGRES${major}_CONNECTION_STRING=postgresql://postgres:$password@127.0.0.1:$pg_port"
}

stop_postgres() {
  [[ -n "${pg_dir:-}" && -d "$pg_dir" ]] || return 0
  "${pg_as[@]}" "$(pg_bin_dir)/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}

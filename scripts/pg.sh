#!/usr/bin/env bash
# A private PostgreSQL cluster for perch, kept in a directory of its own and reached through a
# Unix socket in that directory (no TCP port, so it never clashes with another PostgreSQL).
#
#   scripts/pg.sh start DIR [fast]   initialise if needed, start, create database "perch";
#                                     prints the connection string on stdout
#   scripts/pg.sh stop DIR
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the "postgres" user.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: pg.sh start|stop DIR}")
mode=${3:-}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/pg_ctl" ] || { echo "pg.sh: PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		# from / : the caller's directory may be closed to the postgres user
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

case "$cmd" in
start)
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	chmod 700 "$dir"
	if [ ! -f "$dir/cluster/PG_VERSION" ]; then
		as_owner "$bindir/initdb" -D "$dir/cluster" -U perch --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
		{
			echo "listen_addresses = ''"
			echo "unix_socket_directories = '$dir'"
			echo "max_connections = 200"
			echo "shared_buffers = 256MB"
			echo "timezone = 'UTC'"
			echo "log_min_messages = warning"
			if [ "$mode" = fast ]; then
				# Test clusters are thrown away: durability only costs time there.
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_owner tee -a "$dir/cluster/postgresql.conf" >/dev/null
	fi
	if ! as_owner "$bindir/pg_ctl" -D "$dir/cluster" status >/dev/null 2>&1; then
		as_owner "$bindir/pg_ctl" -D "$dir/cluster" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
			{ tail -n 20 "$dir/postgres.log" >&2; exit 1; }
	fi
	if ! as_owner "$bindir/psql" -h "$dir" -U perch -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='perch'" | grep -q 1; then
		as_owner "$bindir/psql" -h "$dir" -U perch -d postgres -qc "CREATE DATABASE perch" >/dev/null
	fi
	echo "host=$dir user=perch dbname=perch"
	;;
stop)
	if [ -f "$dir/cluster/PG_VERSION" ]; then
		as_owner "$bindir/pg_ctl" -D "$dir/cluster" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
*)
	echo "usage: pg.sh start|stop DIR [fast]" >&2
	exit 2
	;;
esac

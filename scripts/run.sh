#!/usr/bin/env bash
# make run: starts the whole platform on this machine, with a demo instructor and a demo
# student whose simulated Photon2 publishes at once, and prints where to go. Ctrl-C stops
# everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

export PERCH_DATA_DIR=${PERCH_DATA_DIR:-$PWD/data}
export PERCH_HTTP_PORT=${PERCH_HTTP_PORT:-8080}
export PERCH_MQTT_PORT=${PERCH_MQTT_PORT:-1883}
export PERCH_WS_PORT=${PERCH_WS_PORT:-9001}
perch=$PWD/build/perch
mkdir -p "$PERCH_DATA_DIR"
# PostgreSQL runs as another user when we are root; it must be able to reach its directory.
chmod 711 "$PERCH_DATA_DIR"

pids=()
own_pg=""
cleanup() {
	trap - INT TERM EXIT
	echo
	echo "perch: stopping"
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	[ -n "$own_pg" ] && scripts/pg.sh stop "$own_pg"
	exit 0
}
trap cleanup INT TERM EXIT

for port in "$PERCH_HTTP_PORT" "$PERCH_MQTT_PORT" "$PERCH_WS_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "perch: port $port is in use; set PERCH_HTTP_PORT, PERCH_MQTT_PORT or PERCH_WS_PORT" >&2
		exit 1
	fi
done

if [ -z "${PERCH_DATABASE_URL:-}" ]; then
	pgdir=$PERCH_DATA_DIR/pg
	if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$PERCH_DATA_DIR" 2>/dev/null; then
		# a parent directory is closed to other users (e.g. under /root)
		pgdir=/var/tmp/perch-$(printf %s "$PERCH_DATA_DIR" | md5sum | cut -c1-12)/pg
		mkdir -p "$(dirname "$pgdir")" && chmod 711 "$(dirname "$pgdir")"
	fi
	echo "perch: starting PostgreSQL in $pgdir"
	PERCH_DATABASE_URL=$(scripts/pg.sh start "$pgdir")
	export PERCH_DATABASE_URL
	own_pg=$pgdir
fi

"$perch" migrate >/dev/null

# Demo accounts: made once, their passwords and the student's key kept in the data directory.
creds=$PERCH_DATA_DIR/demo-credentials
if [ ! -f "$creds" ]; then
	teacher_pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-12)
	student_pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | cut -c1-12)
	"$perch" user add teacher --instructor --password "$teacher_pw" >/dev/null
	"$perch" user add student --password "$student_pw" >/dev/null
	student_key=$("$perch" key new student --label "simulated Photon2" | tail -n 1)
	umask 077
	printf 'teacher_pw=%s\nstudent_pw=%s\nstudent_key=%s\n' "$teacher_pw" "$student_pw" "$student_key" >"$creds"
fi
# shellcheck disable=SC1090
. "$creds"

"$perch" serve &
pids+=($!)
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$PERCH_HTTP_PORT/healthz" >/dev/null 2>&1 && break
	kill -0 "${pids[0]}" 2>/dev/null || { echo "perch: perch serve stopped; see the messages above" >&2; exit 1; }
	sleep 0.2
done

"$perch" sim --user student --key "$student_key" --quiet &
pids+=($!)

host=$(hostname -I 2>/dev/null | awk '{print $1}')
host=${host:-127.0.0.1}
cat <<MSG

perch is running.

  web app and REST API   http://127.0.0.1:$PERCH_HTTP_PORT/   (from other machines: http://$host:$PERCH_HTTP_PORT/)
  MQTT                   $host:$PERCH_MQTT_PORT   (MQTT over WebSocket: port $PERCH_WS_PORT)

  instructor   user teacher   password $teacher_pw
  student      user student   password $student_pw
               MQTT key       $student_key

A simulated Photon2 publishes as "student" (temperature, humidity, light, button) and obeys
the feed "led". Administer from another terminal with the same settings:

  export PERCH_DATA_DIR='$PERCH_DATA_DIR' PERCH_DATABASE_URL='$PERCH_DATABASE_URL'
  build/perch user list

Try:

  mosquitto_sub -h 127.0.0.1 -p $PERCH_MQTT_PORT -u student -P $student_key -t 'student/feeds/#' -v
  mosquitto_pub -h 127.0.0.1 -p $PERCH_MQTT_PORT -u student -P $student_key -t student/feeds/led -m ON
  curl -H "X-AIO-Key: $student_key" http://127.0.0.1:$PERCH_HTTP_PORT/api/v2/student/feeds/temperature/data?limit=5

Press Ctrl-C to stop.
MSG
wait "${pids[0]}"

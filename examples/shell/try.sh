#!/usr/bin/env bash
# A tour of perch from the shell: every MQTT topic form with mosquitto_pub/mosquitto_sub, and
# the REST API with curl. Each step prints the command it runs; copy the ones you need.
#
#   PERCH_KEY=perch_... examples/shell/try.sh
#
# Settings (environment): PERCH_HOST (127.0.0.1), PERCH_USER (student), PERCH_KEY (an MQTT
# key, required), PERCH_MQTT_PORT (1883), PERCH_HTTP_PORT (8080).
# Needs: mosquitto-clients and curl (apt install mosquitto-clients curl).
# shellcheck disable=SC2016 # "$KEY" is printed as is, on purpose
set -euo pipefail

HOST=${PERCH_HOST:-127.0.0.1}
U=${PERCH_USER:-student}
KEY=${PERCH_KEY:?set PERCH_KEY to an MQTT key of $U (make one with: build/perch key new $U)}
MQTT_PORT=${PERCH_MQTT_PORT:-1883}
HTTP_PORT=${PERCH_HTTP_PORT:-8080}
API=http://$HOST:$HTTP_PORT/api/v2

pub() { mosquitto_pub -h "$HOST" -p "$MQTT_PORT" -u "$U" -P "$KEY" -q 1 "$@"; }
sub() { mosquitto_sub -h "$HOST" -p "$MQTT_PORT" -u "$U" -P "$KEY" -v "$@"; }
api() { curl -sS -H "X-AIO-Key: $KEY" "$@"; echo; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# show pub|sub|api ARGS: prints the full command (the key as "$KEY"), then runs it.
show() {
	local cmd=$1 arg
	shift
	case $cmd in
	pub) printf '$ mosquitto_pub -h %s -p %s -u %s -P "$KEY" -q 1' "$HOST" "$MQTT_PORT" "$U" ;;
	sub) printf '$ mosquitto_sub -h %s -p %s -u %s -P "$KEY" -v' "$HOST" "$MQTT_PORT" "$U" ;;
	api) printf '$ curl -sS -H "X-AIO-Key: $KEY"' ;;
	esac
	for arg in "$@"; do
		if [[ $arg =~ ^[A-Za-z0-9_./:=,+-]+$ ]]; then printf ' %s' "$arg"; else printf " '%s'" "$arg"; fi
	done
	echo
	"$cmd" "$@"
}

step "publish a raw value to the feed temperature (made on first publish)"
show pub -t "$U/feeds/temperature" -m 21.5

step "the same with the short form /f/"
show pub -t "$U/f/temperature" -m 21.6

step "JSON: a value with a location (lat, lon, ele are optional)"
show pub -t "$U/feeds/temperature/json" -m '{"value":21.7,"lat":48.8566,"lon":2.3522,"ele":35}'

step "CSV: value,lat,lon,ele"
show pub -t "$U/feeds/temperature/csv" -m '21.8,48.8566,2.3522,35'

step "a group: several feeds in one message (feeds weather.outside and weather.wind)"
show pub -t "$U/groups/weather" -m '{"feeds":{"outside":12.5,"wind":"NW"}}'

step "a free-form topic: stored in the feed photon2-temperature"
show pub -t "$U/photon2/temperature" -m 22.3

step "/get: perch re-sends the last value of a feed to its subscribers"
sub -t "$U/feeds/temperature" -C 1 -W 5 &
sleep 0.5
show pub -t "$U/feeds/temperature/get" -n
wait $! || true

step "bad data is refused, and perch says why on $U/errors"
sub -t "$U/errors" -C 1 -W 5 &
sleep 0.5
show pub -t "$U/feeds/temperature/json" -m '{"value": 21.9'
wait $! || true

step "more than the rate limit (50 messages/s by default): a notice on $U/throttle"
sub -t "$U/throttle" -C 1 -W 5 &
sleep 0.5
printf '$ seq 1 200 | mosquitto_pub -h %s -p %s -u %s -P "$KEY" -t %s -l\n' "$HOST" "$MQTT_PORT" "$U" "$U/feeds/flood"
seq 1 200 | mosquitto_pub -h "$HOST" -p "$MQTT_PORT" -u "$U" -P "$KEY" -t "$U/feeds/flood" -l
wait $! || true

step "the clock: time/seconds (also time/millis and time/ISO-8601), once a second"
show sub -t time/seconds -t time/ISO-8601 -C 2 -W 5 || true

step "REST: who am I"
show api "$API/user"

step "REST: my feeds"
show api "$API/$U/feeds"

step "REST: the last 5 values of temperature, newest first"
show api "$API/$U/feeds/temperature/data?limit=5"

step "REST: the last value only"
show api "$API/$U/feeds/temperature/data/last"

step "REST: add a value (MQTT subscribers of the feed receive it at once)"
show api -X POST -H 'Content-Type: application/json' -d '{"value": 22.0}' "$API/$U/feeds/temperature/data"

step "REST: the last hour as a chart, one point per minute, aggregated by the server"
show api "$API/$U/feeds/temperature/data/chart?hours=1&resolution=1"

step "REST: my rate limit"
show api "$API/$U/throttle"

#!/bin/sh
# DEVELOPMENT TOOL ONLY. Starts a throw-away Mosquitto (anonymous, local only:
# MQTT 18811, WebSocket 18812) and the mock API on 18810 serving web/dist.
# Ctrl-C stops both. Build first: npm run build.
set -e
cd "$(dirname "$0")/.."
mkdir -p dev/.run
cat > dev/.run/mosquitto.conf <<CONF
persistence false
allow_anonymous true
listener 18811 127.0.0.1
listener 18812
protocol websockets
bind_interface lo
CONF
mosquitto -c dev/.run/mosquitto.conf > dev/.run/mosquitto.log 2>&1 &
MPID=$!
trap 'kill $MPID 2>/dev/null' EXIT INT TERM
sleep 0.5
node dev/mock-server.mjs

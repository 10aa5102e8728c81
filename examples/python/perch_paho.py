#!/usr/bin/env python3
"""A board in Python: publishes a temperature to perch and obeys the feed "led".

Works with paho-mqtt 1.x (Debian 12: apt install python3-paho-mqtt) and 2.x (pip install paho-mqtt).

    python3 perch_paho.py --host 127.0.0.1 --user student --key perch_...

Every --every seconds it publishes a made-up temperature to USER/feeds/temperature. It
subscribes to USER/feeds/led and answers "ON"/"1" or "OFF"/"0" on USER/feeds/led-state, and it
prints what perch reports on USER/errors and USER/throttle. paho reconnects by itself when the
connection drops. Ctrl-C stops it.
"""
import argparse
import math
import os
import sys
import time

import paho.mqtt.client as mqtt


def make_client(client_id):
    """A paho client on paho-mqtt 2.x (callback API version 2) or 1.x."""
    if hasattr(mqtt, "CallbackAPIVersion"):  # paho-mqtt 2.x
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    return mqtt.Client(client_id=client_id)  # paho-mqtt 1.x


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default=os.environ.get("PERCH_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PERCH_MQTT_PORT", "1883")))
    p.add_argument("--user", default=os.environ.get("PERCH_USER", "student"))
    p.add_argument("--key", default=os.environ.get("PERCH_KEY"), help="an MQTT key (perch_...)")
    p.add_argument("--every", type=float, default=10.0, help="seconds between two values")
    p.add_argument("--count", type=int, default=0, help="stop after this many values (0: never)")
    args = p.parse_args()
    if not args.key:
        p.error("give an MQTT key with --key or PERCH_KEY")

    user = args.user
    led_topic = f"{user}/feeds/led"
    state = {"led": "OFF", "refused": False}

    # The callbacks accept both paho 1.x's and 2.x's arguments.
    def on_connect(client, userdata, flags, rc, properties=None):
        if rc != 0:
            # wrong user name or key, revoked key, disabled account, too many connections
            print(f"refused by perch: {mqtt.connack_string(rc) if isinstance(rc, int) else rc}")
            state["refused"] = True  # a wrong key stays wrong: stop instead of retrying
            return
        print(f"connected to {args.host}:{args.port} as {user}")
        client.subscribe([(led_topic, 1), (f"{user}/errors", 0), (f"{user}/throttle", 0)])
        client.publish(f"{led_topic}/get", "")  # perch re-sends the led feed's last value

    def on_message(client, userdata, msg):
        text = msg.payload.decode("utf-8", "replace").strip()
        if msg.topic == led_topic:
            if text.upper() in ("ON", "1"):
                state["led"] = "ON"
            elif text.upper() in ("OFF", "0"):
                state["led"] = "OFF"
            else:
                print(f"led: ignoring {text!r}")
                return
            print(f"led is {state['led']}")
            client.publish(f"{user}/feeds/led-state", state["led"], qos=1)
        else:
            print(f"perch says on {msg.topic}: {text}")

    def on_disconnect(client, userdata, *args):
        rc = args[0] if len(args) == 1 else args[1]  # 1.x: (rc); 2.x: (flags, rc, properties)
        if rc != 0 and not state["refused"]:
            print("connection lost; reconnecting")

    client = make_client(f"python-{user}-{os.getpid()}")
    client.username_pw_set(user, args.key)
    client.on_connect = on_connect
    client.on_message = on_message
    client.on_disconnect = on_disconnect
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    client.connect_async(args.host, args.port, keepalive=60)
    client.loop_start()  # a background thread handles the network and reconnects

    sent = 0
    try:
        while (args.count == 0 or sent < args.count) and not state["refused"]:
            if client.is_connected():
                # a made-up temperature: replace with a real sensor reading
                celsius = 21.0 + 2.0 * math.sin(time.time() / 300.0)
                client.publish(f"{user}/feeds/temperature", f"{celsius:.2f}", qos=1)
                sent += 1
                print(f"temperature {celsius:.2f}")
                time.sleep(args.every)
            else:
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        client.loop_stop()
    return 1 if state["refused"] else 0


if __name__ == "__main__":
    sys.exit(main())

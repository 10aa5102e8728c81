#!/usr/bin/env python3
"""Adafruit's own Python client (package "adafruit-io") talking to perch's REST API.

perch answers Adafruit IO's v2 REST API under http://HOST:8080/api/v2/USER/..., so Adafruit's
library works unchanged: only its base_url changes.

    pip install adafruit-io          # in a virtualenv; it is not packaged by Debian
    python3 adafruit_io_client.py --url http://127.0.0.1:8080 --user student --key perch_...

It lists your feeds, reads the last values of the feed "temperature",
and adds one value to the feed "led" (which a board subscribed to USER/feeds/led receives at
once over MQTT).
"""
import argparse
import os

from Adafruit_IO import Client, Data, RequestError


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=os.environ.get("PERCH_URL", "http://127.0.0.1:8080"),
                   help="perch's web address, without /api (default %(default)s)")
    p.add_argument("--user", default=os.environ.get("PERCH_USER", "student"))
    p.add_argument("--key", default=os.environ.get("PERCH_KEY"), help="an MQTT key (perch_...)")
    p.add_argument("--feed", default="temperature", help="the feed to read (default %(default)s)")
    p.add_argument("--led", default="ON", help="the value to send to the feed led (default %(default)s)")
    args = p.parse_args()
    if not args.key:
        p.error("give an MQTT key with --key or PERCH_KEY")

    # The only difference from a program written for io.adafruit.com is base_url.
    aio = Client(args.user, args.key, base_url=args.url)

    print("feeds:")
    for feed in aio.feeds():
        print(f"  {feed.key:<28} {feed.name}")

    try:
        last = aio.receive(args.feed)
        print(f"\nlast value of {args.feed}: {last.value} at {last.created_at}")
        print(f"recent values of {args.feed}, newest first:")
        for point in aio.data(args.feed)[:5]:
            print(f"  {point.created_at}  {point.value}")
    except RequestError as e:
        print(f"\ncannot read {args.feed}: {e}")

    try:
        sent = aio.create_data("led", Data(value=args.led))
        print(f"\nsent {sent.value} to led (data id {sent.id})")
    except RequestError as e:
        print(f"\ncannot write to led: {e} (perch creates a feed when a board first publishes to it)")


if __name__ == "__main__":
    main()

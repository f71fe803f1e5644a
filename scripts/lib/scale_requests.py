#!/usr/bin/env python3
"""Times one user's requests against chat-api, for scripts/bench-scale.

    BENCH_TOKEN=TOKEN scale_requests.py --url URL --user NAME --read ID,ID,... --send ID,...
                                        [--kinds list,history,unread,send] [--count N] [--warmup N]

The user's bearer token comes in the environment (a token may start with "-", and has no
business in a process list). Over ONE keep-alive connection, sequentially (one user's view: no
concurrency), it runs `--warmup` untimed and then `--count` timed requests of each kind in turn:

  list     GET  /v1/conversations?limit=20                   (the list page)
  history  GET  /v1/conversations/{id}/messages?limit=50      (cycling over --read)
  unread   GET  /v1/unread                                    (the nav badges)
  send     POST /v1/conversations/{id}/messages               (cycling over --send; a fresh client_id each)

and prints one markdown table row per kind: | user | request | n | p50 ms | p99 ms | max ms |.
Latency is from sending the request to having read the whole response. Any status other than
200/201 stops it with exit status 1. Standard library only.
"""
import argparse
import http.client
import json
import math
import os
import sys
import time
import urllib.parse
import uuid


def percentile(sorted_values, q):
    """The nearest-rank percentile (q in 0..1) of an ascending list."""
    index = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


class Client:
    def __init__(self, url, token):
        parts = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.headers = {"Authorization": "Bearer " + token}

    def request(self, method, path, body=None):
        """Sends one request and reads its whole answer; returns the seconds it took."""
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status not in (200, 201):
            sys.exit(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
        return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True, help="the label of the table rows")
    parser.add_argument("--read", required=True, help="conversation ids for history pages, comma-separated")
    parser.add_argument("--send", required=True, help="conversation ids to send into, comma-separated")
    parser.add_argument("--kinds", default="list,history,unread,send")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()

    reads = args.read.split(",")
    sends = args.send.split(",")
    run = uuid.uuid4().hex[:8]
    token = os.environ.get("BENCH_TOKEN") or sys.exit("BENCH_TOKEN is not set")
    client = Client(args.url, token)
    counter = 0

    def one(kind, i):
        nonlocal counter
        counter += 1
        if kind == "list":
            return client.request("GET", "/v1/conversations?limit=20")
        if kind == "history":
            return client.request("GET", f"/v1/conversations/{reads[i % len(reads)]}/messages?limit=50")
        if kind == "unread":
            return client.request("GET", "/v1/unread")
        if kind == "send":
            return client.request("POST", f"/v1/conversations/{sends[i % len(sends)]}/messages",
                                  {"body": f"Scale benchmark message {counter}: the quick brown fox jumps over the lazy dog.",
                                   "client_id": f"bench-{run}-{counter}"})
        sys.exit(f"unknown request kind {kind}")

    for kind in args.kinds.split(","):
        for i in range(args.warmup):
            one(kind, i)
        timings = sorted(one(kind, args.warmup + i) for i in range(args.count))
        if not timings:
            continue
        ms = lambda seconds: f"{seconds * 1000:.2f}"
        print(f"| {args.user} | {kind} | {len(timings)} | {ms(percentile(timings, 0.50))} | "
              f"{ms(percentile(timings, 0.99))} | {ms(timings[-1])} |", flush=True)


if __name__ == "__main__":
    main()

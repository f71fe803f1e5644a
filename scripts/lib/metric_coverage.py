#!/usr/bin/env python3
"""No dead panels, no dead alerts: every metric the Grafana dashboard and the Prometheus rules
query must be one that /metrics of the running services exposes.

    metric_coverage.py --api URL --gateway URL --token SESSION_TOKEN

It first makes the traffic that brings the labelled series into being (a list, a send, which
the gateway routes), then reads both /metrics, then every `expr` of deploy/grafana/*.json and
deploy/prometheus/chat-alerts.yml. Exit 1 naming what is missing. `--self-test` checks the
PromQL name extraction on its own. Standard library only.
"""
import argparse
import glob
import json
import os
import re
import sys
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Series Prometheus makes itself, not the services.
PROMETHEUS_OWN = {"up"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
            "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression reads (not functions, labels, keywords, numbers)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        before = expr[:match.start()]
        if before and (before[-1].isdigit() or before[-1] == "."):
            continue
        if expr[match.end():].lstrip().startswith("(") or match.group(0).lower() in KEYWORDS:
            continue
        names.add(match.group(0))
    return names


def dashboard_exprs(path):
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                found.append(node["expr"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with open(path) as file:
        walk(json.load(file))
    return found


def rule_exprs(path):
    """`expr:` values of a rules file, inline or as `|` blocks (the shapes it uses)."""
    lines = open(path).read().splitlines()
    found = []
    for index, line in enumerate(lines):
        match = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if not match:
            continue
        indent, value = len(match.group(1)), match.group(2)
        if value.startswith("|") or value.startswith(">"):
            block = []
            for following in lines[index + 1:]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                block.append(following.strip())
            value = " ".join(block)
        found.append(value)
    return found


def exposed(url):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {re.split(r"[{ ]", line, 1)[0] for line in text.splitlines() if line and not line.startswith("#")}


def call(url, method, path, token, body=None):
    request = urllib.request.Request(url + path, method=method, headers={"Authorization": f"Bearer {token}"},
                                     data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def self_test():
    expr = ('histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{route=~"/a|/b"}[5m]))) '
            '> 0.5 and on (instance) process_open_fds / process_max_fds offset 5m > 1e3 unless up == 0')
    got = metric_names(expr)
    want = {"http_request_duration_seconds_bucket", "process_open_fds", "process_max_fds", "up"}
    if got != want:
        print(f"FAIL metric_names found {sorted(got)}, expected {sorted(want)}")
        return 1
    print("metric_coverage self-test: ok")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api")
    parser.add_argument("--gateway")
    parser.add_argument("--token")
    parser.add_argument("--self-test", action="store_true")
    options = parser.parse_args()
    if options.self_test:
        return self_test()
    conversations = call(options.api, "GET", "/v1/conversations?limit=5", options.token)["items"]
    call(options.api, "POST", f"/v1/conversations/{conversations[0]['id']}/messages", options.token,
         {"body": "metric coverage check", "client_id": str(uuid.uuid4())})
    time.sleep(2)  # the gateway routes the event
    names = exposed(options.api) | exposed(options.gateway) | PROMETHEUS_OWN
    sources = {path: dashboard_exprs(path) for path in sorted(glob.glob(os.path.join(ROOT, "deploy/grafana/*.json")))}
    sources[os.path.join(ROOT, "deploy/prometheus/chat-alerts.yml")] = rule_exprs(
        os.path.join(ROOT, "deploy/prometheus/chat-alerts.yml"))
    failures = 0
    for path, exprs in sources.items():
        queried = set().union(*(metric_names(expr) for expr in exprs)) if exprs else set()
        missing = sorted(queried - names)
        relative = os.path.relpath(path, ROOT)
        if not exprs:
            print(f"FAIL {relative}: no expressions found")
            failures += 1
        elif missing:
            print(f"FAIL {relative} queries metrics /metrics does not expose: {', '.join(missing)}")
            failures += 1
        else:
            print(f"{relative}: {len(exprs)} expressions, {len(queried)} metrics, all exposed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

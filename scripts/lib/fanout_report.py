#!/usr/bin/env python3
"""Writes scripts/bench-fanout's results into docs/benchmarks.md under "## Fan-out".

Usage: fanout_report.py RESULTS.jsonl DOCS_DIR MODE LOAD

Only the "## Fan-out" section is replaced (up to the next "## " heading); other sections
belong to other benchmarks. With matplotlib installed, also draws docs/fanout-latency.png
(p50 and p99 latency against deliveries per second, chat-gateway and nchan).
"""
import datetime
import json
import os
import platform
import re
import sys

LABELS = {
    "a": "(a) 10,000 streams, ~100,000 deliveries/s",
    "b": "(b) rate step",
    "c": "(c) 1,000 streams, 200 msg/s into one circle",
    "d": "(d) end to end: 1,000 streams, 10 msg/s into one circle",
    "e": "(e) one circle of 10,000 members, a stream each",
}
THROUGHPUT_RUNS = ("a", "b", "c")
LATENCY_RUNS = ("d", "e")


def judged_p99(r):
    """What a round is judged by: p99 after the acknowledgement, end to end for runs d and e."""
    return r["e2e_p99_ms"] if r["label"] in LATENCY_RUNS else r["p99_ms"]


def best_of_rounds(results):
    """Per server, run and rate, the round with the lowest judged p99 (memory: from round 1's run a)."""
    best, worst = {}, {}
    for r in results:
        key = (r["target"], r["label"], r["rate"])
        if key not in best or judged_p99(r) < judged_p99(best[key]):
            best[key] = dict(r)
        worst[key] = max(worst.get(key, 0), judged_p99(r))
    for key, r in best.items():
        r["p99_worst_ms"] = worst[key]
        first = [x for x in results if x["target"] == r["target"] and x["label"] == "a" and x.get("round", 1) == 1]
        r["rss_per_stream_kib"] = first[0]["rss_per_stream_kib"] if r["label"] == "a" and first else None
    return sorted(best.values(), key=lambda r: (r["label"] in LATENCY_RUNS, r["label"] if r["label"] in LATENCY_RUNS else "",
                                                r["target"] != "gateway", r["label"] == "c", r["rate"]))


def memory(r):
    value = r["rss_per_stream_kib"]
    return "-" if value is None else f"{value:.1f} KiB"


def markdown_table(columns, results):
    """One row per result; columns: (header, value of a result) pairs."""
    rows = ["| " + " | ".join(header for header, _ in columns) + " |", "|" + "---|" * len(columns)]
    rows += ["| " + " | ".join(value(r) for _, value in columns) + " |" for r in results]
    return "\n".join(rows)


def ms(key):
    return lambda r: f"{r[key]:.1f}"


RUN = [
    ("run", lambda r: r["label"]),
    ("server", lambda r: "chat-gateway" if r["target"] == "gateway" else "nginx + nchan"),
    ("streams", lambda r: f"{r['streams']:,}"),
    ("msg/s", lambda r: f"{r['rate']:,.0f}"),
]
CHECKS = [
    ("missing", lambda r: str(r["missing"])),
    ("duplicated", lambda r: str(r["duplicates"])),
    ("cut", lambda r: str(r["cut_by_server"])),
    ("server CPU", lambda r: f"{r['server_cpu_percent']:.0f}%"),
]


def table(results):
    return markdown_table(RUN + [
        ("deliveries/s", lambda r: f"{r['deliveries_per_second']:,.0f}"),
        ("p50 ms", ms("p50_ms")), ("p99 ms", ms("p99_ms")), ("max ms", ms("max_ms")),
        ("p99, worst round", ms("p99_worst_ms")),
    ] + CHECKS + [("RSS per stream", memory)], results)


def latency_table(results):
    return markdown_table(RUN + [
        ("end to end p50 ms", ms("e2e_p50_ms")), ("end to end p99 ms", ms("e2e_p99_ms")),
        ("send p50 ms", ms("send_p50_ms")), ("send p99 ms", ms("send_p99_ms")),
        ("after the ack p50 ms", ms("p50_ms")), ("after the ack p99 ms", ms("p99_ms")), ("max ms", ms("max_ms")),
        ("end to end p99, worst round", ms("p99_worst_ms")),
    ] + CHECKS, results)


def latency_section(results, mode, rounds, load):
    return f"""## Fan-out: end to end, and one circle of 10,000

`scripts/bench-fanout` ({mode} run, {datetime.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores shared by
PostgreSQL, chat-api, the server under test and the load client; load average before / after:
{load}). The population of "Fan-out" plus one "All Staff" circle of all 10,000 members with
its chat. Run (d): the 1,000 members of one circle each hold a stream, the admin sends 10
messages/s into its chat. Run (e): all 10,000 members hold a stream, the admin sends 1 and 10
messages/s into the All Staff chat; nchan publishes the same events to one channel of 10,000.
"End to end" runs from the moment the send request went out to the moment a client read the
event (what a person sees); "send" is the publisher's own answer (chat-api's 201 includes the
durable commit); "after the ack" is end to end minus the send, per delivery. Best (lowest
end-to-end p99) of {rounds} interleaved round(s); 2 s of warm-up excluded.

{latency_table(results)}

Reading the figures (the goals of issue 16: end to end p50 under 5 ms and p99 under 10 ms for
run (d); p99 under 50 ms at 1 message/s and under 100 ms at 10 messages/s for run (e)):

- End to end starts with the send (the "send" columns): chat-api answers 201 only after the
  commit, and a lone send costs about 3 ms here, nearly all of it PostgreSQL's work for the
  batch (the insert and its triggers, the event numbering, the commit), where a plain `INSERT`
  and `NOTIFY` transaction takes 0.4 ms (`scripts/bench-api`, "Write API"). nchan keeps
  nothing, so its time is all delivery. The send alone uses most of the 5 ms budget of the p50
  goal; what the gateway adds after it (NOTIFY, one indexed read of `chat.events`, the writes)
  is the "after the ack" columns.
- Writing one event to many streams is one `sendmsg` per stream, and each wakes the reader; on
  two cores shared with the reader (1,000 or 10,000 sockets read by two threads), PostgreSQL and
  chat-api, a delivery costs about 10-15 µs of CPU on both sides together. The last of 1,000
  streams therefore has the event about 10 ms after the first, the last of 10,000 about
  100 ms after: nchan, which does the same writes, shows the same spread (its "send" column is
  that spread: it answers the publisher after writing to every subscriber). The p99 goals for
  10,000 streams are below what this machine does for either server; on the same machine and
  load the gateway is on a par with nchan at 1 message/s and many times faster at 10 messages/s,
  where nchan's single publisher request falls behind.
- What would close the rest: a lone send's work in PostgreSQL cut toward the plain insert's
  (the same work as issue 16's sending goal), a machine where the readers do not share the
  server's two cores (the delivery spread is CPU), and for the gateway writes spread over more
  event loops on more cores.
"""


def replace_section(text, heading, section):
    pattern = re.compile(r"^" + re.escape(heading) + r"\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        return pattern.sub(lambda _: section + "\n", text)
    return text.rstrip("\n") + "\n\n" + section


def ceiling(results, target):
    """The highest delivery rate of runs a/b whose p99 stayed within 100 ms, with no loss."""
    ok = [r for r in results if r["target"] == target and r["label"] in ("a", "b")
          and r["p99_ms"] <= 100 and r["missing"] == 0 and r["duplicates"] == 0]
    return max((r["deliveries_per_second"] for r in ok), default=0)


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for target, name, color in (("gateway", "chat-gateway", "tab:blue"), ("nchan", "nginx + nchan", "tab:orange")):
        runs = sorted((r for r in results if r["target"] == target and r["label"] in ("a", "b")),
                      key=lambda r: r["deliveries_per_second"])
        if not runs:
            continue
        x = [r["deliveries_per_second"] for r in runs]
        # nchan often delivers before it acknowledges the publisher (0 ms): drawn at 0.1 ms.
        ax.plot(x, [max(0.1, r["p99_ms"]) for r in runs], "o-", color=color, label=f"{name} p99")
        ax.plot(x, [max(0.1, r["p50_ms"]) for r in runs], "s--", color=color, alpha=0.6, label=f"{name} p50")
    ax.axhline(100, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("deliveries per second (10,000 streams)")
    ax.set_ylabel("publisher ack -> client read (ms, floor 0.1)")
    ax.set_yscale("log")
    ax.set_title("Fan-out latency against delivery rate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    results_path, docs, mode, load = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    runs = [json.loads(line) for line in open(results_path) if line.strip()]
    rounds = max((r.get("round", 1) for r in runs), default=1)
    results = best_of_rounds(runs)
    latency = [r for r in results if r["label"] in LATENCY_RUNS]
    results = [r for r in results if r["label"] in THROUGHPUT_RUNS]
    path = os.path.join(docs, "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if latency:
        text = replace_section(text, "## Fan-out: end to end, and one circle of 10,000", latency_section(latency, mode, rounds, load))
    if results:
        text = replace_section(text, "## Fan-out", throughput_section(results, mode, rounds, load, docs))
    open(path, "w").write(text.rstrip("\n") + "\n")


def throughput_section(results, mode, rounds, load, docs):
    has_plot = plot(results, os.path.join(docs, "fanout-latency.png"))
    gateway_ceiling, nchan_ceiling = ceiling(results, "gateway"), ceiling(results, "nchan")
    def rate(value):
        return f"{value:,.0f} deliveries/s" if value else "none (p99 over 100 ms at every rate)"
    cpu = os.cpu_count()
    section = f"""## Fan-out

`scripts/bench-fanout` ({mode} run, {datetime.date.today().isoformat()}, {platform.machine()}, {cpu} cores shared by
PostgreSQL, chat-api, the server under test and the load client, all on loopback; load
average before / after the runs: {load}, other work on the machine included). One private
PostgreSQL 15 cluster holds 10,000 members in 10 circles of 1,000, each circle with its chat;
one admin sends. Every member holds one stream (`fanout-bench`, two epoll threads). Messages go
through `chat-api` (`POST /v1/conversations/{{id}}/messages`, 201) round-robin over the circle
chats, at a steady open-loop rate; nchan gets the same events published to one channel per
circle (`POST /pub/<circle>`, the JSON chat-gateway streams for that message). Latency runs
from the publisher's acknowledgement (chat-api's 201, nchan's 201/202) to the moment a client
read the event; 2 s of warm-up are excluded. Each point is the best (lowest p99) of {rounds}
interleaved round(s); the gateway and nchan run back to back at each rate. "missing" and "duplicated" count every delivery
of every message (warm-up included) against the members of its circle; "cut" counts streams
the server closed. CPU is the server's over the measured part (100% = one core; nginx: both
workers); RSS per stream (run (a) of round 1, fresh processes) is the growth of the server's
resident memory from before the streams opened to after, divided by their number (nginx: both
workers, shared memory counted in each).

{table(results)}

Ceiling (the highest delivery rate with p99 within 100 ms and nothing lost):
chat-gateway {rate(gateway_ceiling)}, nchan {rate(nchan_ceiling)}.
{"![Latency against delivery rate](fanout-latency.png)" if has_plot else "(No plot: matplotlib was not available.)"}

The raw results of this run are in `docs/fanout-results.jsonl`.

Reading the figures:

- Both servers share two cores with PostgreSQL, chat-api and the load client (and with
  whatever else ran on the machine: the "worst round" column shows how much a busy moment
  costs), so the ceilings are those of the whole machine, not of one process.
- A busy moment hurts the gateway more than nchan (compare the worst rounds): an event goes
  through more processes and threads (chat-api's commit, PostgreSQL's NOTIFY, the gateway's
  listener, tail read and event loops), each of which can wait for a core.
- nchan's p50 is about 0 because it writes to its subscribers before it answers the publisher;
  the gateway can only start after the commit, and learns of it through NOTIFY and one indexed
  read of `chat.events`, so its floor is a few milliseconds.
- Where the gateway's CPU goes (a one-off `perf record` of the gateway during a run like (a),
  not part of the script): about 80% in the kernel writing to the 10,000 sockets (one
  `sendmsg` per stream per wake-up, the same work nchan does), about 10% in its own routing
  (audiences, one encoding per event, `send` to each stream), the rest in the event loops and
  the runtime.
- Memory per stream is user space only (kernel socket buffers are not in RSS).
"""
    return section


if __name__ == "__main__":
    main()

"""Load for scripts/bench-typing: holds one event stream per member of a circle on chat-gateway
and makes every member call POST .../typing once every PERIOD seconds (spread evenly), over a few
keep-alive connections to chat-api, for SECONDS. Counts the `typing` events the streams read and
the typing answers by status, and the CPU time chat-gateway, chat-api and PostgreSQL (the
postmaster and every backend, exited ones included) used meanwhile. Prints one line of JSON.

    python3 typing_load.py API_PORT GATEWAY_PORT CONVERSATION TOKENS_FILE SECONDS PERIOD \
        GATEWAY_PID API_PID POSTMASTER_PID
"""
import asyncio
import json
import os
import subprocess
import sys
import time

API_PORT, GATEWAY_PORT = int(sys.argv[1]), int(sys.argv[2])
CONVERSATION, TOKENS = sys.argv[3], open(sys.argv[4]).read().split()
SECONDS, PERIOD = float(sys.argv[5]), float(sys.argv[6])
CALLERS = 8  # keep-alive connections to chat-api
PIDS = {"gateway": int(sys.argv[7]), "api": int(sys.argv[8]), "postgres": int(sys.argv[9])}
HZ = os.sysconf("SC_CLK_TCK")


def ticks(pid, reaped_children=False):
    """User + system CPU ticks of a process (and of its reaped children: exited backends)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    total = int(fields[11]) + int(fields[12])
    return total + (int(fields[13]) + int(fields[14]) if reaped_children else 0)


def cpu_now():
    children = subprocess.run(["pgrep", "-P", str(PIDS["postgres"])], capture_output=True, text=True).stdout.split()
    return {"gateway": ticks(PIDS["gateway"]), "api": ticks(PIDS["api"]),
            "postgres": ticks(PIDS["postgres"], True) + sum(ticks(int(pid)) for pid in children)}

received = {"typing": 0, "other": 0}
statuses = {}


async def stream(token, ready):
    reader, writer = await asyncio.open_connection("127.0.0.1", GATEWAY_PORT)
    writer.write(f"GET /v1/stream?access_token={token}&conversation_id={CONVERSATION} HTTP/1.1\r\n"
                 f"Host: bench\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise SystemExit(f"stream refused: {head[:80]!r}")
    ready.release()
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.startswith(b"event: "):
            received["typing" if line.strip() == b"event: typing" else "other"] += 1


async def caller(index, deadline):
    reader, writer = await asyncio.open_connection("127.0.0.1", API_PORT)
    mine = TOKENS[index::CALLERS]
    interval = PERIOD / len(mine)  # each of my members once per PERIOD
    next_at = time.monotonic() + index * interval / CALLERS
    n = 0
    while time.monotonic() < deadline:
        await asyncio.sleep(max(0, next_at - time.monotonic()))
        token = mine[n % len(mine)]
        n += 1
        next_at += interval
        writer.write(f"POST /v1/conversations/{CONVERSATION}/typing HTTP/1.1\r\nHost: bench\r\n"
                     f"Authorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1].decode()
        length = 0
        for header in head.split(b"\r\n"):
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        if length:
            await reader.readexactly(length)
        statuses[status] = statuses.get(status, 0) + 1


async def main():
    ready = asyncio.Semaphore(0)
    streams = [asyncio.create_task(stream(token, ready)) for token in TOKENS]
    for _ in TOKENS:
        await ready.acquire()
    await asyncio.sleep(1)
    received["typing"] = received["other"] = 0
    cpu_before = cpu_now()
    started = time.monotonic()
    await asyncio.gather(*(caller(i, started + SECONDS) for i in range(CALLERS)))
    elapsed = time.monotonic() - started
    cpu_after = cpu_now()
    await asyncio.sleep(0.5)  # the last events in flight
    cpu = {name: round((cpu_after[name] - cpu_before[name]) / HZ / elapsed * 100, 1) for name in PIDS}
    for task in streams:
        task.cancel()
    calls = sum(statuses.values())
    print(json.dumps({"seconds": elapsed, "calls": calls, "calls_per_second": calls / elapsed, "statuses": statuses,
                      "typing_events": received["typing"], "typing_events_per_second": received["typing"] / elapsed,
                      "other_events": received["other"], "streams": len(TOKENS),
                      "cpu_percent_of_one_core": cpu}), flush=True)


asyncio.run(main())

#!/usr/bin/env python3
"""Failover and switchover under load against the three-node Patroni cluster Tests/ha/run starts.

20 users send steadily (each send with its own client_id, retried with the same client_id after
a 503 or a broken connection, as a client should) and 30 streams follow (resuming with
Last-Event-ID when they drop). Then, one after the other:

1. SIGKILL of the primary's PostgreSQL (postmaster and every backend);
2. the primary's WAL sender to the synchronous standby paused, the commits waiting for it cancelled with
   pg_cancel_backend (PostgreSQL then reports them committed, with a WARNING), and the primary
   killed at once: the case that lost acknowledged sends and streamed phantom events;
3. a planned `patronictl switchover` to the synchronous standby, preferably a former primary that
   rejoined with pg_rewind (Patroni in synchronous mode switches over to the synchronous standby only).

Checks (each printed as a passed or failed test): every 2xx send stored exactly once on the
primary at the end; every stream got every stored message of its conversations, in order, none
twice and none that is not stored, and no reset; writes resume by themselves after each kill;
the switchover refuses sends for less than 5 s; the old primaries rejoin as standbys; a read
through DATABASE_READ_URL right after a write sees it, while others read from a standby and the
replica lag shows in /metrics.
Figures: kill-to-first-2xx times, the switchover's refusal window.
The last line is `ha: N passed, N failed`. Python 3 standard library only.
"""
import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))
import sse  # noqa: E402  (scripts/lib/sse.py)

USERS = 20
EXTRA_STREAMS = 10  # on top of one per user: 30 streams
SEND_INTERVAL = 0.2  # per user: 100 sends/s in all
RETRY_DELAY = 0.2


def now():
    return time.monotonic()


def say(message):
    print(f"[ha] {message}", flush=True)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            say(f"PASS {name}")
        else:
            self.failed += 1
            say(f"FAIL {name}: {detail}")


def request(port, method, path, token, body=None, timeout=10):
    """(status, decoded body or None, headers); status "error" when the connection failed."""
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        status, answer_headers = response.status, dict(response.getheaders())
    except (OSError, http.client.HTTPException):
        return "error", None, {}
    finally:
        connection.close()
    try:
        return status, json.loads(raw) if raw else None, answer_headers
    except ValueError:
        return status, None, answer_headers


def must(port, method, path, token, body=None, deadline=60):
    give_up = now() + deadline
    while True:
        status, answer, _ = request(port, method, path, token, body)
        if status != "error" and 200 <= status < 300:
            return answer
        if (status not in ("error", 503)) or now() > give_up:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        time.sleep(0.3)


class Cluster:
    """The Patroni cluster: who leads, who is the synchronous standby, their processes."""

    def __init__(self, ha_dir, rest_ports, url):
        self.ha_dir, self.rest_ports, self.url = ha_dir, rest_ports, url

    def members(self):
        for port in self.rest_ports:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/cluster", timeout=2) as answer:
                    return json.load(answer)["members"]
            except OSError:
                continue
        return []

    def member(self, role):
        for m in self.members():
            if m["role"] == role and m.get("state") in ("running", "streaming"):
                return m
        return None

    def wait_for(self, predicate, timeout, what):
        deadline = now() + timeout
        while now() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.25)
        raise RuntimeError(f"timed out waiting for {what}: {self.members()}")

    def postmaster(self, name):
        with open(os.path.join(self.ha_dir, name, "data", "postmaster.pid")) as f:
            return int(f.readline())

    @staticmethod
    def children(pid):
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
        return found

    def kill_postgres(self, name):
        """SIGKILL the node's postmaster and every backend at once: a crash, not a shutdown."""
        postmaster = self.postmaster(name)
        os.kill(postmaster, signal.SIGSTOP)  # no new backend forks while the others are listed
        for pid in self.children(postmaster) + [postmaster]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def sql(self, port, query, url=None):
        target = url or f"postgres://postgres@127.0.0.1:{port}/chat"
        done = subprocess.run(["psql", target, "-XAtqc", query], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"psql: {done.stderr.strip()}")
        return done.stdout.strip()


class Sends:
    """Every send attempt's outcome, by client_id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {}  # client_id -> (conversation, message id)
        self.log = []  # (started, finished, client_id, status)

    def record(self, started, client_id, status, answer, conversation):
        with self.lock:
            self.log.append((started, now(), client_id, status))
            if status in (200, 201):
                previous = self.acknowledged.get(client_id)
                message_id = answer["id"]
                if previous is not None and previous[1] != message_id:
                    self.acknowledged[client_id] = (conversation, f"two ids {previous[1]} and {message_id}")
                else:
                    self.acknowledged[client_id] = (conversation, message_id)


class Sender(threading.Thread):
    def __init__(self, port, user, token, conversations, sends, stop):
        super().__init__(daemon=True)
        self.port, self.user, self.token, self.conversations = port, user, token, conversations
        self.sends, self.stop = sends, stop

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            conversation = self.conversations[n % len(self.conversations)]
            client_id = f"{self.user}-{n}"
            while not self.stop.is_set():
                started = now()
                status, answer, _ = request(self.port, "POST", f"/v1/conversations/{conversation}/messages",
                                            self.token, {"body": client_id, "client_id": client_id})
                self.sends.record(started, client_id, status, answer, conversation)
                if status in (200, 201):
                    break
                if status not in ("error", 503):
                    say(f"send {client_id}: unexpected {status} {answer}")
                    break
                time.sleep(RETRY_DELAY)  # the same client_id again, as a client must
            time.sleep(SEND_INTERVAL)


class Follower(threading.Thread):
    """One stream; resumes with Last-Event-ID whenever it drops."""

    def __init__(self, port, token, stop):
        super().__init__(daemon=True)
        self.port, self.token, self.stop = port, token, stop
        self.last_id = None
        self.messages = []  # (pos, conversation, message id, seq)
        self.resets = []
        self.connections = 0
        self.opened = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.follow_once()
            except (OSError, http.client.HTTPException, ValueError):
                pass
            self.stop.wait(0.3)

    def follow_once(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        try:
            connection.request("GET", "/v1/stream", headers=headers)
            response = connection.getresponse()
            if response.status != 200:
                response.read()
                return
            self.connections += 1
            for frame_id, event, data in sse.frames(response, self.stop):
                self.handle(frame_id, event, data)
                self.last_id = frame_id
                self.opened.set()
        finally:
            connection.close()

    def handle(self, pos, event, data):
        if event == "message.created":
            message = json.loads(data)["message"]
            self.messages.append((pos, message["conversation_id"], message["id"], message["seq"]))
        elif event == "reset":
            self.resets.append((pos, data))


class Run:
    def __init__(self, options):
        self.o = options
        self.results = Results()
        self.cluster = Cluster(options.ha_dir, [int(p) for p in options.rest_ports.split(",")], options.database_url)
        self.sends = Sends()
        self.stop_load = threading.Event()
        self.stop_streams = threading.Event()

    def setup(self):
        api, key = self.o.api_port, self.o.service_key
        self.users = [f"ha-user-{i}" for i in range(USERS)]
        self.admin = "ha-admin"
        for user in [self.admin] + self.users:
            role = "admin" if user == self.admin else "member"
            must(api, "PUT", f"/v1/users/{user}", key, {"name": user, "email": f"{user}@example.com", "role": role})
        self.tokens = {u: must(api, "POST", "/v1/sessions", key, {"user_id": u, "ttl_seconds": 86400})["token"]
                       for u in [self.admin] + self.users}
        # Four circles of five; every member sends in their circle's chat and their direct chat.
        self.audience = {}
        self.sendable = {u: [] for u in self.users}
        for index in range(4):
            members = self.users[index * 5:(index + 1) * 5]
            circle = f"ha-circle-{index}"
            must(api, "PUT", f"/v1/circles/{circle}", key, {"name": circle})
            must(api, "PUT", f"/v1/circles/{circle}/members", key, {"user_ids": members})
            chat = must(api, "POST", "/v1/conversations/circle", self.tokens[self.admin],
                        {"circle_id": circle, "send_policy": "all_members"})["id"]
            self.audience[chat] = set(members) | {self.admin}
            for member in members:
                self.sendable[member].append(chat)
        for user in self.users:
            chat = must(api, "POST", "/v1/conversations/direct", self.tokens[self.admin], {"user_id": user})["id"]
            self.audience[chat] = {self.admin, user}
            self.sendable[user].append(chat)

    def start_load(self):
        owners = self.users + [self.admin] * 5 + self.users[:EXTRA_STREAMS - 5]
        self.followers = [(user, Follower(self.o.gateway_port, self.tokens[user], self.stop_streams)) for user in owners]
        for _, follower in self.followers:
            follower.start()
        for _, follower in self.followers:
            if not follower.opened.wait(30):
                raise RuntimeError("a stream did not open")
        self.senders = [Sender(self.o.api_port, u, self.tokens[u], self.sendable[u], self.sends, self.stop_load)
                        for u in self.users]
        for sender in self.senders:
            sender.start()

    def first_success_after(self, moment):
        with self.sends.lock:
            times = [finished for started, finished, _, status in self.sends.log if started >= moment and status in (200, 201)]
        return min(times) if times else None

    def wait_for_writes(self, since, what):
        deadline = now() + 60
        while now() < deadline:
            first = self.first_success_after(since)
            if first is not None:
                return first
            time.sleep(0.1)
        raise RuntimeError(f"writes did not resume after {what}")

    def wait_for_rejoin(self, name, what):
        def rejoined():
            return any(m["name"] == name and m["role"] in ("replica", "sync_standby") and m.get("state") in ("running", "streaming")
                       for m in self.cluster.members())
        try:
            self.cluster.wait_for(rejoined, 90, f"{name} to rejoin")
            self.results.check(f"{what}: the old primary {name} rejoins as a standby", True)
        except RuntimeError as error:
            self.results.check(f"{what}: the old primary {name} rejoins as a standby", False, str(error))

    def plain_kill(self):
        leader = self.cluster.member("leader")
        say(f"SIGKILL of the primary's PostgreSQL ({leader['name']})")
        self.cluster.kill_postgres(leader["name"])
        killed = now()
        return self.recover(leader["name"], killed, "plain kill")

    def recover(self, old_leader, killed, what):
        """After a kill: writes resume by themselves (the time is a figure), another node leads,
        and the old primary rejoins as a standby."""
        first = self.wait_for_writes(killed, what)
        new = self.cluster.wait_for(lambda: (m := self.cluster.member("leader")) and m["name"] != old_leader and m, 60, "a new leader")
        self.figures.append(f"{what}: first 2xx {first - killed:.2f} s after the kill; new leader {new['name']}")
        say(f"figure: {self.figures[-1]}")
        self.results.check(f"{what}: writes resume by themselves", True)
        self.wait_for_rejoin(old_leader, what)
        return old_leader

    def cancel_then_kill(self):
        leader = self.cluster.member("leader")
        self.cluster.wait_for(lambda: self.cluster.member("sync_standby"), 60, "a synchronous standby")
        # Pause the primary's WAL senders: what they have not sent stays on the primary alone
        # (pausing a standby's receiver would not do: the WAL already in its socket buffer still
        # arrives after the primary dies; pausing only the synchronous one would let Patroni
        # hand that role to the other standby, which has everything).
        senders = [int(pid) for pid in self.cluster.sql(leader["port"], "SELECT pid FROM pg_stat_replication").split()]
        say(f"pausing {leader['name']}'s {len(senders)} WAL senders; commits wait for the standby")
        for sender in senders:
            os.kill(sender, signal.SIGSTOP)
        time.sleep(1.0)
        # Three rounds: each cancellation frees a writer, whose next batch waits again.
        cancelled = 0
        for _ in range(3):
            cancelled += int(self.cluster.sql(leader["port"], "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"))
            time.sleep(0.3)
        self.cluster.kill_postgres(leader["name"])  # the paused senders with the rest
        killed = now()
        say(f"cancelled {cancelled} commits waiting for the standby, then SIGKILL of {leader['name']}")
        self.results.check("cancel+kill: commits were waiting for the standby when cancelled", cancelled > 0, f"{cancelled} cancelled")
        return self.recover(leader["name"], killed, "cancel+kill")

    def switchover(self, preferred):
        leader = self.cluster.member("leader")
        self.cluster.wait_for(lambda: self.cluster.member("sync_standby"), 60, "a synchronous standby")
        # In synchronous mode Patroni switches over only to the synchronous standby: give the
        # preferred node (a former primary that rejoined) time to become it, else take the one
        # that is (a node that has just rejoined may still be an asynchronous replica).
        def synchronous():
            return (self.cluster.member("sync_standby") or {}).get("name")
        deadline = now() + 30
        while now() < deadline and synchronous() != preferred:
            time.sleep(1)
        candidate = self.cluster.wait_for(synchronous, 60, "a synchronous standby")
        say(f"patronictl switchover {leader['name']} -> {candidate}")
        started = now()
        done = subprocess.run(self.o.patronictl.split() + ["switchover", "--leader", leader["name"], "--candidate", candidate, "--force"],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            self.results.check("switchover: patronictl switchover succeeds", False, done.stderr + done.stdout)
            return
        self.cluster.wait_for(lambda: (m := self.cluster.member("leader")) and m["name"] == candidate, 60, f"{candidate} to lead")
        time.sleep(3)
        with self.sends.lock:
            refused = [finished for s, finished, _, status in self.sends.log if s >= started and status not in (200, 201)]
        window = (max(refused) - min(refused)) if refused else 0.0
        self.figures.append(f"switchover: sends refused for {window:.2f} s ({len(refused)} refusals)")
        say(f"figure: {self.figures[-1]}")
        self.results.check("switchover: sends refused for less than 5 s", window < 5, f"{window:.2f} s")
        self.wait_for_rejoin(leader["name"], "switchover")

    def metric(self, name):
        """A sample of chat-api's /metrics by its exact name and labels."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.o.api_port}/metrics", timeout=5) as answer:
            for line in answer.read().decode().splitlines():
                key, _, value = line.rpartition(" ")
                if key == name:
                    return float(value)
        return None

    def read_your_write(self):
        """With replay paused on every standby (so they are surely stale): a user's read right
        after their write sees it; another user's reads are served by a standby; the lag shows."""
        if not self.o.read_url:
            return
        # After the switchover a standby may still be restarting to follow the new leader.
        def settled():
            members = self.cluster.members()
            ready = [m for m in members if m.get("state") in ("running", "streaming")]
            return len(ready) == 3 and any(m["role"] == "sync_standby" for m in ready) and members
        members = self.cluster.wait_for(settled, 90, "all three members running")
        standbys = [m for m in members if m["role"] != "leader"]
        patronictl = self.o.patronictl.split()
        # Patroni resumes a paused replay unless the cluster is in maintenance mode.
        subprocess.run(patronictl + ["pause", "--wait"], capture_output=True, text=True, timeout=60, check=True)
        for m in standbys:
            self.cluster.sql(m["port"], "SELECT pg_wal_replay_pause()")
        try:
            time.sleep(1.5)
            user, api = self.users[0], self.o.api_port
            chat = self.sendable[user][0]
            before = self.metric('chat_api_reads_total{target="standby"}') or 0
            for _ in range(10):
                status, _, _ = request(api, "GET", "/v1/conversations?limit=5", self.tokens[self.admin])
            after = self.metric('chat_api_reads_total{target="standby"}') or 0
            self.results.check("reads of a user who did not write go to a standby", after - before >= 10, f"{after - before} of 10")
            lag = self.metric("chat_db_replica_lag_seconds") or 0
            self.results.check("/metrics shows the replica lag while replay is paused", lag >= 1, f"chat_db_replica_lag_seconds {lag}")
            stale = seen = 0
            for n in range(10):
                client_id = f"ryw-{n}"
                status, message, _ = request(api, "POST", f"/v1/conversations/{chat}/messages", self.tokens[user],
                                             {"body": client_id, "client_id": client_id})
                if status not in (200, 201):
                    continue
                with self.sends.lock:
                    self.sends.acknowledged[client_id] = (chat, message["id"])
                status, history, _ = request(api, "GET", f"/v1/conversations/{chat}/messages?limit=5", self.tokens[user])
                if message["id"] in [m["id"] for m in (history or {}).get("items", [])]:
                    seen += 1
                on_standby = self.cluster.sql(standbys[0]["port"], f"SELECT count(*) FROM chat.messages WHERE id = {message['id']}")
                stale += on_standby == "0"
            self.results.check("a read through DATABASE_READ_URL right after a write sees it (standbys paused: "
                               f"{stale} of the writes not on the standby)", seen == 10 and stale > 0, f"{seen} of 10 seen")
        finally:
            for m in standbys:
                self.cluster.sql(m["port"], "SELECT pg_wal_replay_resume()")
            subprocess.run(patronictl + ["resume", "--wait"], capture_output=True, text=True, timeout=60)

    def verify(self):
        stored = {}  # client_id -> list of (conversation, id)
        rows = self.cluster.sql(None, "SELECT client_id, conversation_id, id, seq FROM chat.messages WHERE client_id IS NOT NULL",
                                url=self.o.database_url)
        by_conversation = {}
        for line in rows.splitlines():
            client_id, conversation, message_id, seq = line.split("|")
            stored.setdefault(client_id, []).append((conversation, int(message_id)))
            by_conversation.setdefault(conversation, []).append((int(seq), int(message_id)))
        acknowledged = self.sends.acknowledged
        lost = [c for c in acknowledged if c not in stored]
        doubled = [c for c, copies in stored.items() if len(copies) > 1]
        mismatched = [c for c, (conv, mid) in acknowledged.items() if c in stored and stored[c][0][1] != mid]
        say(f"figure: {len(acknowledged)} sends acknowledged, {len(stored)} stored")
        self.results.check("every 2xx send is stored", not lost, f"{len(lost)} lost: {lost[:5]}")
        self.results.check("no message is stored twice", not doubled, f"{doubled[:5]}")
        self.results.check("every 2xx names the message stored", not mismatched, f"{mismatched[:5]}")
        stored_ids = {mid for copies in stored.values() for _, mid in copies}
        problems = []
        for user, follower in self.followers:
            got = follower.messages
            if follower.resets:
                problems.append(f"{user}: reset {follower.resets[:2]}")
            positions = [pos for pos, _, _, _ in got]
            if positions != sorted(set(positions)):
                problems.append(f"{user}: positions not increasing or repeated")
            ids = [mid for _, _, mid, _ in got]
            if len(ids) != len(set(ids)):
                problems.append(f"{user}: {len(ids) - len(set(ids))} messages twice")
            phantom = [mid for mid in ids if mid not in stored_ids]
            if phantom:
                problems.append(f"{user}: {len(phantom)} messages that are not stored, e.g. {phantom[:3]}")
            for conversation, members in self.audience.items():
                if user not in members:
                    continue
                expected = [mid for _, mid in sorted(by_conversation.get(conversation, []))]
                received = [mid for _, conv, mid, _ in got if conv == conversation]
                if received != expected:
                    missing = len(set(expected) - set(received))
                    problems.append(f"{user}: conversation {conversation[:8]}: {missing} missing or out of order "
                                    f"({len(received)} received, {len(expected)} stored)")
        for problem in problems[:20]:
            say(problem)
        self.results.check("every stream got every stored message of its conversations in order, none twice, no phantom, no reset",
                           not problems, f"{len(problems)} problems")
        reconnects = sum(f.connections - 1 for _, f in self.followers)
        say(f"figure: {len(self.followers)} streams, {reconnects} reconnects, "
            f"{sum(len(f.messages) for _, f in self.followers)} messages delivered")

    def main(self):
        self.figures = []
        self.setup()
        self.start_load()
        say("load running: 20 senders, 30 streams")
        time.sleep(3)
        first_victim = self.plain_kill()
        time.sleep(2)
        second_victim = self.cancel_then_kill()
        time.sleep(2)
        # To a former primary that rejoined with pg_rewind (Patroni may have promoted the first
        # one already in the second failover).
        leader = self.cluster.member("leader")
        self.switchover(second_victim if leader and leader["name"] == first_victim else first_victim)
        self.read_your_write()
        time.sleep(2)
        self.stop_load.set()
        for sender in self.senders:
            sender.join(30)
        time.sleep(3)  # the last commits reach the streams
        self.stop_streams.set()
        self.verify()
        for figure in self.figures:
            say(f"figure: {figure}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("api-port", "gateway-port"):
        parser.add_argument(f"--{name}", type=int, required=True)
    for name in ("service-key", "ha-dir", "rest-ports", "database-url", "patronictl"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--read-url", default="")
    run = Run(parser.parse_args())
    try:
        run.main()
    except Exception as error:  # a step that could not run is a failed test, with its reason
        run.results.check("the scenario ran to its end", False, repr(error))
    print(f"ha: {run.results.passed} passed, {run.results.failed} failed", flush=True)
    return 0 if run.results.failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""The driver of scripts/soak (standard library only): load, faults, and the end-of-run checks.

scripts/soak starts a throwaway PostgreSQL, migrates it and calls this with the binaries'
folder. This process runs chat-api and chat-gateway itself (it kills and restarts them), and:

- users send at a steady rate (each send has a client_id; 503 and broken connections are
  retried with the same one), admins and members alike;
- every user follows one stream that drops at random and resumes with Last-Event-ID;
- readers list conversations and read histories; a directory sync adds and removes members of
  one circle (the "churn" circle) all along;
- faults on a schedule: during the warm-up a gateway SIGKILL, a chat-api SIGTERM and restart,
  and a PostgreSQL restart; after it a PostgreSQL restart every 4 minutes (at least one). The
  services are not restarted after the warm-up, so their memory and descriptors can be
  compared from the end of the warm-up to the end of the run;
- resident memory and open descriptors of both services are sampled every 2 s.

At the end it prints and checks: every 2xx send stored exactly once; every stream got every
message it may see, in order, none twice; memory and descriptors flat after the warm-up
(growth under 10%); no 5xx other than 503, and 503 only during an outage. Exit status 0 when
all hold.
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

import sse

START = time.monotonic()


def now():
    """Seconds since the soak started."""
    return time.monotonic() - START


def say(message):
    print(f"[soak {now():7.1f}s] {message}", file=sys.stderr, flush=True)


class Ledger:
    """Everything the checks need, recorded from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.responses = []  # (t, what, status) with status an int or "error"
        self.outages = []  # [start, end] (end None while it lasts)
        self.sends = {}  # client_id -> {"conversation", "sender", "message_id", "status"}

    def response(self, what, status):
        with self.lock:
            self.responses.append((now(), what, status))

    def outage_begins(self):
        with self.lock:
            self.outages.append([now(), None])

    def outage_ends(self):
        with self.lock:
            self.outages[-1][1] = now()

    def in_outage(self, t, grace=5.0):
        with self.lock:
            return any(start - 0.5 <= t <= (end if end is not None else float("inf")) + grace
                       for start, end in self.outages)


class API:
    """One JSON request per connection to a service on loopback."""

    def __init__(self, ledger, port, timeout=10):
        self.ledger, self.port, self.timeout = ledger, port, timeout

    def call(self, what, method, path, token, body=None):
        """(status, decoded body or None); status "error" when the connection failed."""
        headers = {"Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.ledger.response(what, "error")
            return "error", None
        finally:
            connection.close()
        self.ledger.response(what, status)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def must(self, what, method, path, token, body=None, deadline=60):
        """Retries 503 and broken connections until a 2xx (setup and idempotent writes)."""
        give_up = now() + deadline
        while True:
            status, answer = self.call(what, method, path, token, body)
            if status != "error" and 200 <= status < 300:
                return answer
            if (status != "error" and status != 503) or now() > give_up:
                raise RuntimeError(f"{method} {path}: {status} {answer}")
            time.sleep(0.5)


class Service:
    """chat-api or chat-gateway as a child process, restartable."""

    def __init__(self, name, bin_dir, environment, port, log_path):
        self.name, self.binary, self.environment, self.port = name, os.path.join(bin_dir, name), environment, port
        self.log = open(log_path, "ab")
        self.process = None

    def start(self):
        self.process = subprocess.Popen([self.binary], env=self.environment, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=self.log, start_new_session=True)

    def signal(self, number):
        self.process.send_signal(number)

    def wait_exit(self, timeout=15):
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            say(f"{self.name} did not stop within {timeout} s: killed")

    def ready(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/readyz")
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    @property
    def pid(self):
        return self.process.pid if self.process and self.process.poll() is None else None


def wait_ready(services, timeout=90):
    give_up = time.monotonic() + timeout
    while not all(service.ready() for service in services):
        for service in services:
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited with status {service.process.returncode}")
        if time.monotonic() > give_up:
            raise RuntimeError(f"not ready within {timeout} s")
        time.sleep(0.25)


class Follower(threading.Thread):
    """One user's stream: drops at random (mean `drop_every` s) and resumes with Last-Event-ID.
    Records every event it gets, across connections, with its position."""

    def __init__(self, ledger, port, user, token, drop_every, stop):
        super().__init__(daemon=True)
        self.ledger, self.port, self.user, self.token = ledger, port, user, token
        self.drop_every, self.stop = drop_every, stop
        self.drops_enabled = True
        self.start_pos = None
        self.last_id = None
        self.events = []  # (pos, event name)
        self.connections = 0
        self.lock = threading.Lock()
        self.socket = None

    def run(self):
        while not self.stop.is_set():
            try:
                self.follow_once()
            except (OSError, http.client.HTTPException, ValueError):
                pass
            self.stop.wait(0.5)

    def drop(self):
        with self.lock:
            if self.socket is not None:
                try:
                    self.socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def follow_once(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        try:
            connection.request("GET", "/v1/stream", headers=headers)
        except OSError:
            self.ledger.response("stream", "error")
            raise
        with self.lock:
            self.socket = connection.sock
        timer = None
        try:
            response = connection.getresponse()
            self.ledger.response("stream", response.status)
            if response.status != 200:
                response.read()
                return
            self.connections += 1
            if self.drops_enabled:
                timer = threading.Timer(random.expovariate(1 / self.drop_every), self.drop)
                timer.daemon = True
                timer.start()
            self.read_frames(response)
        finally:
            if timer:
                timer.cancel()
            with self.lock:
                self.socket = None
            connection.close()

    def read_frames(self, response):
        for frame_id, event, _ in sse.frames(response, self.stop):
            if event is not None:
                self.events.append((frame_id, event))
            elif self.start_pos is None:
                self.start_pos = frame_id
            self.last_id = frame_id


class Soak:
    def __init__(self, options):
        self.options = options
        self.ledger = Ledger()
        self.stop_load = threading.Event()
        self.stop_streams = threading.Event()
        self.work = options.work_dir
        environment = dict(os.environ, DATABASE_URL=options.database_url, CHAT_SERVICE_KEY=options.service_key,
                           CHAT_ATTACHMENT_SECRET=os.environ.get("CHAT_ATTACHMENT_SECRET") or os.urandom(32).hex(),
                           API_PORT=str(options.api_port), GATEWAY_PORT=str(options.gateway_port),
                           BIND_HOST="127.0.0.1", LOG_LEVEL="warning")
        for setting in ("DB_POOL_SIZE", "GROUP_COMMIT_CONNECTIONS", "UPLOAD_DB_CONNECTIONS"):  # the bounds below assume the defaults
            environment.pop(setting, None)
        self.api_service = Service("chat-api", options.bin_dir, environment, options.api_port,
                                   os.path.join(self.work, "chat-api.log"))
        self.gateway = Service("chat-gateway", options.bin_dir, environment, options.gateway_port,
                               os.path.join(self.work, "chat-gateway.log"))
        self.api = API(self.ledger, options.api_port)
        self.samples = []
        self.database_port = int(options.database_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        # The most database connections each may hold: its pool, plus the group committer's and
        # the attachments' (chat-api) or the LISTEN connection (chat-gateway), at their defaults.
        self.database_bound = {"chat-api": 10 + 2 + 4, "chat-gateway": 4 + 1}
        self.samples_file = open(os.path.join(self.work, "samples.jsonl"), "w")
        self.duration = options.minutes * 60
        # Warm-up: 5 minutes, or half of a shorter run (a 2-minute run: the first minute).
        self.warmup = min(300.0, self.duration / 2)

    # --- Setup: a directory of admins, members, circles and chats, and a session each. ---

    def setup(self):
        key = self.options.service_key
        rng = random.Random(7)
        self.admins = [f"soak-admin-{i}" for i in range(self.options.admins)]
        self.members = [f"soak-user-{i}" for i in range(self.options.users)]
        for user in self.admins + self.members:
            role = "admin" if user in self.admins else "member"
            self.api.must("setup", "PUT", f"/v1/users/{user}", key,
                          {"name": user, "email": f"{user}@example.com", "role": role})
        self.tokens = {user: self.api.must("setup", "POST", "/v1/sessions", key,
                                           {"user_id": user, "ttl_seconds": 86400})["token"]
                       for user in self.admins + self.members}
        admin = self.tokens[self.admins[0]]
        # Stable circles: membership never changes, so every member must get every message.
        self.audience = {}  # conversation -> members (admins see every circle chat anyway)
        self.circle_chats = []
        for index in range(4):
            circle = f"soak-circle-{index}"
            members = rng.sample(self.members, max(2, len(self.members) // 3))
            self.api.must("setup", "PUT", f"/v1/circles/{circle}", key, {"name": circle})
            self.api.must("setup", "PUT", f"/v1/circles/{circle}/members", key, {"user_ids": members})
            chat = self.api.must("setup", "POST", "/v1/conversations/circle", admin,
                                 {"circle_id": circle, "send_policy": "all_members"})["id"]
            self.audience[chat] = set(members)
            self.circle_chats.append(chat)
        # Direct chats: each member with one admin.
        self.direct_chats = {}
        for index, member in enumerate(self.members):
            owner = self.admins[index % len(self.admins)]
            chat = self.api.must("setup", "POST", "/v1/conversations/direct", self.tokens[owner],
                                 {"user_id": member})["id"]
            self.audience[chat] = {owner, member}
            self.direct_chats[member] = chat
        # The churn circle: members added and removed all along; only admins send there.
        self.api.must("setup", "PUT", "/v1/circles/soak-churn", key, {"name": "soak-churn"})
        self.churn_initial = set(rng.sample(self.members, len(self.members) // 2))
        self.api.must("setup", "PUT", "/v1/circles/soak-churn/members", key, {"user_ids": sorted(self.churn_initial)})
        self.churn_chat = self.api.must("setup", "POST", "/v1/conversations/circle", admin,
                                        {"circle_id": "soak-churn", "send_policy": "all_members"})["id"]

    def sendable(self, user):
        if user in self.admins:
            return self.circle_chats + [self.churn_chat] + [chat for chat, who in self.audience.items()
                                                            if chat not in self.circle_chats and user in who]
        return [chat for chat in self.circle_chats if user in self.audience[chat]] + [self.direct_chats[user]]

    # --- Load. ---

    def sender(self, user):
        rng = random.Random(user)
        interval = 1 / self.options.rate
        next_at = now() + rng.uniform(0, interval)
        chats = self.sendable(user)
        while not self.stop_load.is_set():
            self.stop_load.wait(max(0, next_at - now()))
            if self.stop_load.is_set():
                return
            next_at += interval
            chat = rng.choice(chats)
            client_id = f"soak-{uuid.uuid4()}"
            with self.ledger.lock:
                self.ledger.sends[client_id] = {"conversation": chat, "sender": user, "message_id": None, "status": None}
            give_up = now() + 90
            while now() < give_up:  # a send is retried with its client_id until it is answered
                status, answer = self.api.call("send", "POST", f"/v1/conversations/{chat}/messages",
                                               self.tokens[user], {"body": f"soak {client_id}", "client_id": client_id})
                if status == "error" or status == 503:
                    time.sleep(0.5)
                    continue
                with self.ledger.lock:
                    self.ledger.sends[client_id]["status"] = status
                    if 200 <= status < 300:
                        self.ledger.sends[client_id]["message_id"] = answer["id"]
                break

    def reader(self, seed):
        rng = random.Random(seed)
        users = self.admins + self.members
        while not self.stop_load.is_set():
            user = rng.choice(users)
            status, answer = self.api.call("list", "GET", "/v1/conversations?limit=20", self.tokens[user])
            if status == 200 and answer and answer.get("items"):
                chat = rng.choice(answer["items"])["id"]
                self.api.call("history", "GET", f"/v1/conversations/{chat}/messages?limit=50", self.tokens[user])
            self.stop_load.wait(0.2)

    def directory_sync(self):
        rng = random.Random(11)
        key = self.options.service_key
        while not self.stop_load.wait(2.0):
            try:
                choice = rng.random()
                if choice < 0.3:
                    members = rng.sample(self.members, rng.randint(2, len(self.members) // 2))
                    self.api.must("sync", "PUT", "/v1/circles/soak-churn/members", key, {"user_ids": sorted(members)})
                elif choice < 0.65:
                    self.api.must("sync", "PUT", f"/v1/circles/soak-churn/members/{rng.choice(self.members)}", key)
                else:
                    self.api.must("sync", "DELETE", f"/v1/circles/soak-churn/members/{rng.choice(self.members)}", key)
            except RuntimeError as error:
                say(f"directory sync failed: {error}")

    # --- Faults. ---

    def schedule(self):
        """(time, name): the service faults inside the warm-up, then PostgreSQL restarts."""
        w = self.warmup
        plan = [(w * 0.25, "gateway-sigkill"), (w * 0.5, "api-sigterm"), (w * 0.75, "postgres-restart")]
        t = w + min(120.0, (self.duration - w) / 3)
        while t < self.duration - 10:
            plan.append((t, "postgres-restart"))
            t += 240
        return plan

    def fault(self, name):
        say(f"fault: {name}")
        self.ledger.outage_begins()
        if name == "gateway-sigkill":
            self.gateway.signal(signal.SIGKILL)
            self.gateway.wait_exit()
            self.gateway.start()
        elif name == "api-sigterm":
            self.api_service.signal(signal.SIGTERM)
            self.api_service.wait_exit()
            self.api_service.start()
        else:
            subprocess.run([self.options.postgres_restart], check=True)
        started = now()
        wait_ready([self.api_service, self.gateway])
        self.ledger.outage_ends()
        say(f"recovered from {name} in {now() - started:.1f} s")

    def faults(self):
        for at, name in self.schedule():
            if self.stop_load.wait(max(0, at - now())):
                return
            try:
                self.fault(name)
            except (RuntimeError, subprocess.CalledProcessError) as error:
                self.fault_error = f"{name}: {error}"
                say(f"fault {self.fault_error}")
                return

    def sampler(self):
        while not self.stop_streams.wait(2.0):
            for service in (self.api_service, self.gateway):
                sample = measure(service, self.database_port)
                if sample is None:
                    continue
                sample["t"] = round(now(), 1)
                self.samples.append(sample)
                self.samples_file.write(json.dumps(sample) + "\n")
                self.samples_file.flush()

    # --- The run. ---

    def run(self):
        self.fault_error = None
        self.api_service.start()
        self.gateway.start()
        wait_ready([self.api_service, self.gateway])
        self.setup()
        say(f"{len(self.admins)} admins, {len(self.members)} members, {len(self.audience) + 1} chats; "
            f"{self.options.rate}/s sends per user for {self.options.minutes} min, warm-up {self.warmup:.0f} s")
        self.followers = [Follower(self.ledger, self.options.gateway_port, user, self.tokens[user],
                                   self.options.drop_every, self.stop_streams) for user in self.admins + self.members]
        for follower in self.followers:
            follower.start()
        give_up = now() + 30
        while any(f.start_pos is None for f in self.followers) and now() < give_up:
            time.sleep(0.1)
        threads = [threading.Thread(target=self.sender, args=(user,), daemon=True) for user in self.admins + self.members]
        threads += [threading.Thread(target=self.reader, args=(seed,), daemon=True) for seed in range(2)]
        threads += [threading.Thread(target=self.directory_sync, daemon=True),
                    threading.Thread(target=self.faults, daemon=True)]
        sampler = threading.Thread(target=self.sampler, daemon=True)
        load_started = now()
        for thread in threads + [sampler]:
            thread.start()
        self.stop_load.wait(max(0, load_started + self.duration - now()))
        self.load_ended = now()
        self.stop_load.set()
        say("load stopped; waiting for the last sends and the streams to catch up")
        for thread in threads:
            thread.join(120)
        for follower in self.followers:
            follower.drops_enabled = False
        return self.finish()

    def finish(self):
        failures = []
        if self.fault_error:
            failures.append(f"a fault did not recover: {self.fault_error}")
        failures += self.check_sends()
        failures += self.check_streams()
        self.stop_streams.set()
        failures += self.check_flat()
        failures += self.check_errors()
        for service in (self.api_service, self.gateway):
            if service.pid:
                service.signal(signal.SIGTERM)
                service.wait_exit()
        if failures:
            for failure in failures:
                print(f"FAIL {failure}", flush=True)
            print(f"soak: {len(failures)} check(s) failed", flush=True)
            return 1
        print("soak: every check passed", flush=True)
        return 0

    def psql(self, sql):
        output = subprocess.run(["psql", self.options.database_url, "-X", "-At", "-F", "|", "-c", sql],
                                check=True, capture_output=True, text=True).stdout
        return [line.split("|") for line in output.splitlines() if line]

    def check_sends(self):
        rows = self.psql("SELECT client_id, count(*), min(id::text) FROM chat.messages "
                         "WHERE client_id LIKE 'soak-%' GROUP BY client_id")
        stored = {client_id: (int(count), message_id) for client_id, count, message_id in rows}
        sends = self.ledger.sends
        acked = {cid: send for cid, send in sends.items() if send["message_id"] is not None}
        unanswered = [cid for cid, send in sends.items() if send["status"] is None]
        refused = [send["status"] for send in sends.values() if send["status"] is not None and send["message_id"] is None]
        lost = [cid for cid in acked if cid not in stored]
        doubled = [cid for cid, (count, _) in stored.items() if count != 1]
        mismatched = [cid for cid, send in acked.items() if cid in stored and stored[cid][1] != str(send["message_id"])]
        say(f"sends: {len(sends)} attempted, {len(acked)} answered 2xx, {len(refused)} refused {sorted(set(refused))}, "
            f"{len(unanswered)} never answered; stored {len(stored)}")
        failures = []
        if lost:
            failures.append(f"{len(lost)} sends answered 2xx are not stored, e.g. {lost[:3]}")
        if doubled:
            failures.append(f"{len(doubled)} client_ids stored more than once, e.g. {doubled[:3]}")
        if mismatched:
            failures.append(f"{len(mismatched)} sends answered with another message id than the one stored")
        if refused:
            failures.append(f"{len(refused)} sends refused with statuses {sorted(set(refused))}")
        if not acked:
            failures.append("no send succeeded")
        return failures

    def expected(self, follower, events, final_pos, churn_timeline):
        """(required, allowed) message positions for a follower: stable chats it is in (every
        circle chat for admins) are required; a churn-circle message is required when the user
        was a member from it to the end (live routing and any replay both deliver it), allowed
        when a member at any point after it (a replay uses membership as it is then)."""
        user = follower.user
        required, allowed = set(), set()
        for pos, kind, conversation in events:
            if kind != "message.created" or pos <= follower.start_pos:
                continue
            if conversation == self.churn_chat:
                if user in self.admins:
                    required.add(pos)
                    continue
                spans = churn_timeline[user]
                if member_throughout(spans, pos, final_pos):
                    required.add(pos)
                elif member_sometime(spans, pos, final_pos):
                    allowed.add(pos)
            elif (user in self.admins and conversation in self.circle_chats) or user in self.audience.get(conversation, ()):
                required.add(pos)
        return required, required | allowed

    def churn_timeline(self, events):
        """Per member, the positions where they joined and left the churn circle."""
        timeline = {user: [(0, user in self.churn_initial)] for user in self.members}
        for pos, kind, conversation, user in events:
            if conversation == self.churn_chat and kind in ("member.added", "member.removed") and user in timeline:
                timeline[user].append((pos, kind == "member.added"))
        return timeline

    def check_streams(self):
        failures = []
        first = min(f.start_pos for f in self.followers if f.start_pos is not None) if self.followers else 0
        rows = self.psql(f"SELECT pos, type, coalesce(conversation_id::text, ''), coalesce(user_id, '') "
                         f"FROM chat.events WHERE pos > {first} ORDER BY pos")
        events = [(int(pos), kind, conversation, user) for pos, kind, conversation, user in rows]
        final_pos = events[-1][0] if events else first
        timeline = self.churn_timeline(events)
        messages = [(pos, kind, conversation) for pos, kind, conversation, _ in events]
        give_up = now() + 60
        while True:  # the streams catch up with the last events
            missing = {}
            for follower in self.followers:
                if follower.start_pos is None:
                    continue
                required, _ = self.expected(follower, messages, final_pos, timeline)
                got = {pos for pos, kind in list(follower.events) if kind == "message.created"}
                if required - got:
                    missing[follower.user] = sorted(required - got)
            if not missing or now() > give_up:
                break
            time.sleep(0.5)
        total = 0
        for follower in self.followers:
            if follower.start_pos is None:
                failures.append(f"stream of {follower.user} never opened")
                continue
            got = list(follower.events)
            total += len(got)
            positions = [pos for pos, _ in got]
            out_of_order = sum(1 for a, b in zip(positions, positions[1:]) if b <= a)
            if out_of_order:
                failures.append(f"stream of {follower.user}: {out_of_order} events out of order or twice")
            resets = [pos for pos, kind in got if kind == "reset"]
            if resets:
                failures.append(f"stream of {follower.user} got reset at {resets[:3]}")
            _, allowed = self.expected(follower, messages, final_pos, timeline)
            extra = [pos for pos, kind in got if kind == "message.created" and pos not in allowed]
            if extra:
                failures.append(f"stream of {follower.user} got {len(extra)} messages it may not see, e.g. {extra[:3]}")
            if follower.user in missing:
                lack = missing[follower.user]
                failures.append(f"stream of {follower.user} lacks {len(lack)} messages, e.g. positions {lack[:5]}")
        connections = sum(f.connections for f in self.followers)
        say(f"streams: {len(self.followers)} followed, {connections} connections (resumes included), "
            f"{total} events received, log ends at {final_pos}")
        return failures

    def check_flat(self):
        """Median of the samples in the first and the last window after the warm-up, of resident
        memory and of the descriptors that are neither clients' connections nor database
        connections; those must stay within the pools' bounds all along."""
        failures = []
        for name, bound in self.database_bound.items():
            most = max((s["database_fds"] for s in self.samples if s["service"] == name), default=0)
            say(f"{name} database connections: at most {most} (bound {bound})")
            if most > bound:
                failures.append(f"{name} held {most} database connections, more than its pools' {bound}")
        window = min(30.0, (self.load_ended - self.warmup) / 4)
        for name in ("chat-api", "chat-gateway"):
            samples = [s for s in self.samples if s["service"] == name and s["t"] >= self.warmup and s["t"] <= self.load_ended]
            head = [s for s in samples if s["t"] <= self.warmup + window]
            tail = [s for s in samples if s["t"] >= self.load_ended - window]
            if not head or not tail:
                failures.append(f"{name}: too few samples after the warm-up")
                continue
            if len({s["pid"] for s in samples}) != 1:
                failures.append(f"{name}: restarted after the warm-up (pids {sorted({s['pid'] for s in samples})})")
            for measure, unit in (("rss_bytes", "MiB"), ("own_fds", "fds")):
                scale = 1 / 1048576 if unit == "MiB" else 1
                start = statistics.median(s[measure] for s in head)
                end = statistics.median(s[measure] for s in tail)
                growth = (end - start) / start
                say(f"{name} {measure}: {start * scale:.1f} -> {end * scale:.1f} {unit} ({growth:+.1%}) "
                    f"from {self.warmup:.0f} s to {self.load_ended:.0f} s")
                if growth >= 0.10:
                    failures.append(f"{name} {measure} grew {growth:.1%} after the warm-up")
        return failures

    def check_errors(self):
        failures = []
        with self.ledger.lock:
            responses = list(self.ledger.responses)
        other = [(t, what, status) for t, what, status in responses if status != "error" and status >= 500 and status != 503]
        stray = [(t, what) for t, what, status in responses if status == 503 and not self.ledger.in_outage(t)]
        broken = [(t, what) for t, what, status in responses if status == "error" and not self.ledger.in_outage(t)]
        in_outage = sum(1 for t, _, status in responses if (status == 503 or status == "error") and self.ledger.in_outage(t))
        say(f"responses: {len(responses)}; 503 or broken during {len(self.ledger.outages)} outages: {in_outage}; "
            f"broken connections outside them: {len(broken)}")
        if other:
            failures.append(f"{len(other)} 5xx answers other than 503, e.g. {other[:3]}")
        if stray:
            failures.append(f"{len(stray)} 503 answers outside an outage, e.g. {stray[:3]}")
        return failures


def measure(service, database_port):
    """Resident memory and descriptors of a running service: all of them, the connections
    clients opened to it (the load's, not the process's own), and its database connections
    (pools that open connections as demand asks, up to their size)."""
    pid = service.pid
    try:
        with open(f"/proc/{pid}/status") as status:
            rss = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
        fds = os.listdir(f"/proc/{pid}/fd")
        inodes = set()
        for fd in fds:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        clients = database = 0
        for table in ("tcp", "tcp6"):
            with open(f"/proc/{pid}/net/{table}") as sockets:
                for line in list(sockets)[1:]:
                    fields = line.split()
                    if fields[9] not in inodes:
                        continue
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                    if local_port == service.port and fields[3] != "0A":
                        clients += 1
                    elif remote_port == database_port:
                        database += 1
    except (OSError, StopIteration, TypeError):
        return None
    return {"service": service.name, "pid": pid, "rss_bytes": rss, "fds": len(fds), "client_fds": clients,
            "database_fds": database, "own_fds": len(fds) - clients - database}


def member_throughout(spans, start, end):
    """Whether the (position, is_member) changes leave the user a member over [start, end]."""
    state = False
    for pos, is_member in spans:
        if pos <= start:
            state = is_member
        elif pos <= end and not is_member:
            return False
    return state


def member_sometime(spans, start, end):
    state = False
    for pos, is_member in spans:
        if pos <= start:
            state = is_member
        elif pos <= end and is_member:
            return True
    return state


def self_test():
    """The membership timeline rules the stream check rests on (scripts/check-ops runs this)."""
    spans = [(0, True), (10, False), (20, True)]  # a member, removed at 10, back at 20
    cases = [
        (member_throughout(spans, 5, 30), False),  # removed in between: a replay may skip it
        (member_throughout(spans, 25, 30), True),
        (member_throughout([(0, False), (8, True)], 9, 30), True),
        (member_sometime(spans, 12, 30), True),  # back at 20: a replay then includes it
        (member_sometime(spans, 12, 15), False),
        (member_sometime([(0, False)], 1, 30), False),
    ]
    failed = [index for index, (got, want) in enumerate(cases) if got != want]
    print(f"soak self-test: {'ok' if not failed else f'cases {failed} failed'}")
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--gateway-port", type=int, required=True)
    parser.add_argument("--postgres-restart", required=True, help="executable that restarts PostgreSQL")
    parser.add_argument("--service-key", default=uuid.uuid4().hex + uuid.uuid4().hex)
    parser.add_argument("--users", type=int, default=20, help="members (each sends and follows a stream)")
    parser.add_argument("--admins", type=int, default=2)
    parser.add_argument("--rate", type=float, default=0.5, help="sends per second per user")
    parser.add_argument("--drop-every", type=float, default=20, help="mean seconds between a stream's drops")
    options = parser.parse_args()
    soak = Soak(options)
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))
    try:
        return soak.run()
    except RuntimeError as error:
        print(f"FAIL {error}", flush=True)
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:  # the services run in sessions of their own: no signal of ours reaches them
        for service in (soak.api_service, soak.gateway):
            if service.pid:
                service.process.kill()


if __name__ == "__main__":
    sys.exit(main())

"""Schemathesis hooks for Tests/fuzz/run.

Every user endpoint runs with one admin's token, so the run keeps that admin intact:
`DELETE /v1/sessions/current` with that token gets a session of its own instead (minted with
the service key for the same admin, so the request is otherwise the one the fuzzer generated),
and a `PUT` of that admin's user writes another user.
"""

import json
import os
import re
import urllib.parse
import urllib.request
import uuid

import schemathesis

ADMIN_ID = os.environ["CHAT_ADMIN_ID"]
ADMIN_AUTHORIZATION = f"Bearer {os.environ['CHAT_ADMIN_TOKEN']}"


def mint_admin_session() -> str:
    request = urllib.request.Request(
        f"{os.environ['CHAT_API_URL']}/v1/sessions",
        data=json.dumps({"user_id": ADMIN_ID, "ttl_seconds": 600}).encode(),
        headers={"Authorization": f"Bearer {os.environ['CHAT_SERVICE_KEY']}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


@schemathesis.hook
def before_call(context, case, kwargs):
    operation = (case.operation.method.upper(), case.operation.path)
    if operation == ("DELETE", "/v1/sessions/current"):
        headers = case.headers or {}
        for name in list(headers):
            if name.lower() == "authorization" and headers[name] == ADMIN_AUTHORIZATION:
                headers[name] = f"Bearer {mint_admin_session()}"
    elif operation == ("PUT", "/v1/users/{user_id}") and (case.path_parameters or {}).get("user_id") == ADMIN_ID:
        # The fuzzer learns the admin's id from `GET /v1/me` and may demote or deactivate them,
        # which would turn the rest of the run into 403s and 404s: it writes another user.
        case.path_parameters["user_id"] = f"fuzz-{ADMIN_ID}"[:64]
    elif operation == ("GET", "/v1/attachments/{id}"):
        use_demo_link(case)
    elif operation == ("GET", "/v1/conversations/{id}/messages") and case.query and "before" in case.query:
        # `before` and `after` together are a 400 (docs/api.md) that OpenAPI cannot state, as it
        # cannot relate two parameters; the Swift tests cover that case, the fuzzer the others.
        case.query.pop("after", None)


# Path ids the operations on existing resources start from (Tests/fuzz/run picks them from the
# demo data). A generated id that is well formed becomes the demo id, so positive cases reach
# the service's logic instead of a 404; a malformed one (a negative case) is kept; and the
# stateful phase sets the ids its links carry after this, so those win.
DEMO_PATH_IDS = {
    "user_id": os.environ["CHAT_MEMBER_ID"],
    "circle_id": os.environ["CHAT_CIRCLE_ID"],
    "id": os.environ["CHAT_CONVERSATION_ID"],
}
DEMO_MESSAGE_ID = os.environ["CHAT_MESSAGE_ID"]
EXTERNAL_ID = re.compile(r"[A-Za-z0-9._:@-]{1,64}")


def is_well_formed(name, value):
    if not isinstance(value, str):
        return False
    if name == "id":
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return len(value) == 36
    return EXTERNAL_ID.fullmatch(value) is not None


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    operation = context.operation
    if not path_parameters or operation is None:
        return path_parameters
    if operation.path == "/v1/attachments/{id}":
        return path_parameters  # before_call decides the whole link (below)
    if operation.method.upper() == "PUT" and operation.path in ("/v1/users/{user_id}", "/v1/circles/{circle_id}"):
        return path_parameters  # these create: new ids are the point
    for name, demo in DEMO_PATH_IDS.items():
        if name in path_parameters and is_well_formed(name, path_parameters[name]):
            path_parameters[name] = demo
    # Message ids are global, so a random one is nearly always a 404: an even one becomes a demo
    # message of the demo chat (the odd ones keep the 404s tested).
    message_id = str(path_parameters.get("message_id"))
    if message_id.isascii() and message_id.isdigit() and int(message_id) % 2 == 0:
        path_parameters["message_id"] = int(DEMO_MESSAGE_ID)
    return path_parameters


# The demo file's signed link (Tests/fuzz/attach_demo_file.py). A download whose id, `exp` and
# `sig` are all well formed gets the demo file's id, and, when its generated `exp` is even, the
# link's own `exp` and `sig` too: so the run sees the file (200, 206, 304, 416) as well as
# refused signatures (403) and, with a malformed part, the refusals of those (403, 404).
DEMO_LINK = urllib.parse.urlsplit(os.environ["CHAT_ATTACHMENT_URL"])
DEMO_ATTACHMENT_ID = DEMO_LINK.path.rsplit("/", 1)[-1]
DEMO_LINK_QUERY = dict(urllib.parse.parse_qsl(DEMO_LINK.query))
SIGNATURE = re.compile(r"[0-9a-f]{64}")


def use_demo_link(case):
    query = case.query or {}
    exp, sig = str(query.get("exp")), query.get("sig")
    if not (is_well_formed("id", (case.path_parameters or {}).get("id")) and exp.isascii() and exp.isdigit()
            and isinstance(sig, str) and SIGNATURE.fullmatch(sig)):
        return
    case.path_parameters["id"] = DEMO_ATTACHMENT_ID
    if int(exp) % 2 == 0:
        case.query.update(DEMO_LINK_QUERY)

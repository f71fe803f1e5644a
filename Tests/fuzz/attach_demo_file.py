"""Uploads a small PNG as a demo admin, sends it in a demo chat and prints its signed link.

Tests/fuzz/run calls it with the API's URL, the admin's token and the chat's id; hooks.py
starts `GET /v1/attachments/{id}` from that link.
"""

import base64
import json
import sys
import urllib.request

API_URL, TOKEN, CONVERSATION_ID = sys.argv[1:4]
# A 1x1 PNG: stored as image/png, so downloads answer with an image type.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def call(method, path, body, content_type):
    request = urllib.request.Request(f"{API_URL}{path}", data=body, method=method,
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


upload = call("POST", "/v1/uploads?filename=demo.png", PNG, "application/octet-stream")
message = call("POST", f"/v1/conversations/{CONVERSATION_ID}/messages",
               json.dumps({"body": "", "attachments": [upload["id"]]}).encode(), "application/json")
print(message["attachments"][0]["url"])

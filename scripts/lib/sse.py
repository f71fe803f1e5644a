"""Reading a Server-Sent Events stream (docs/stream.md), shared by the soak driver
(scripts/lib/soak.py) and the failover scenario (Tests/ha/failover.py). Standard library only."""


def frames(response, stop):
    """Yields (id, event, data) for every frame of `response` (an http.client response of
    GET /v1/stream) that has an `id:` line, until the stream ends or `stop` (a
    threading.Event) is set. `event` is None for a frame without an `event:` line; `data`
    joins the frame's `data:` lines with newlines. Comments (heartbeats) and id-less frames
    (typing notices) are skipped."""
    frame_id, event, data = None, None, []
    while not stop.is_set():
        line = response.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line == "":
            if frame_id is not None:
                yield frame_id, event, "\n".join(data)
            frame_id, event, data = None, None, []
        elif line.startswith("id:"):
            frame_id = int(line[3:].strip())
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())

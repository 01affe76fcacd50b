"""Helpers for the live-view tests: start `hansim run --http 127.0.0.1:0`, learn the URL and the
control token from what it prints, call the JSON API and read the event stream."""
import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from run_helpers import Running


class LiveRun(Running):
    """A `hansim run` with the live view; `url` and `token` (None without --http-control)."""

    def __init__(self, hansim_bin, *args, control=False):
        extra = ["--http", "127.0.0.1:0"] + (["--http-control"] if control else [])
        super().__init__(hansim_bin, *args, *extra)
        line = self.wait_for_line("live view at", timeout=10)
        self.url = re.search(r"(http://\S+/)", line).group(1)
        self.token = None
        if control:
            line = next((l for l in self.lines if "token " in l), None) or self.wait_for_line("token ")
            self.token = re.search(r"token ([0-9a-f]{32})", line).group(1)
        parsed = urllib.parse.urlparse(self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def get(self, path):
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()

    def get_json(self, path):
        status, kind, body = self.get(path)
        assert status == 200 and kind == "application/json", (status, kind)
        return json.loads(body)

    def status_of(self, path, method="GET", body=None, headers=None):
        """(status, JSON or text body) without raising for 4xx/5xx."""
        request = urllib.request.Request(self.url + path.lstrip("/"), method=method, data=body, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def control(self, meter, action, token="use-mine", **params):
        headers = {"Content-Type": "application/json"}
        token = self.token if token == "use-mine" else token
        if token is not None:
            headers["X-Hansim-Token"] = token
        body = json.dumps({"action": action, **params}).encode()
        return self.status_of(f"api/meters/{meter}/control", method="POST", body=body, headers=headers)

    def wait_frames(self, meter, count, timeout=10.0):
        """The meter's recent frames once there are at least `count`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frames = self.get_json(f"api/meters/{meter}/frames")
            if len(frames) >= count:
                return frames
            time.sleep(0.05)
        raise AssertionError(f"meter {meter}: fewer than {count} frames in {timeout} s")


class EventStream:
    """A text/event-stream client on a plain socket: parse() yields (event, data) pairs."""

    def __init__(self, host, port, path="/api/events"):
        self.conn = http.client.HTTPConnection(host, port, timeout=10)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type")

    def events(self, until, timeout=10.0):
        """Reads events until `until(list_so_far)` is true (or the stream ends / times out)."""
        got = []
        event, data = "message", []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.response.fp.readline()
            except socket.timeout:
                break
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line == "":
                if data:
                    got.append((event, json.loads("\n".join(data))))
                    if until(got):
                        return got
                event, data = "message", []
            elif line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        return got

    def close(self):
        self.conn.close()

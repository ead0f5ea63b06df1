"""A fake SMS gateway: a real local HTTP server speaking seven.io's JSON API as
caseworks.sms.backends.SevenBackend uses it, keeping every message it took. For the tests and
the bench; `mode` makes it fail (HTTP 500), refuse (an error code) or answer late."""

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-key"


@dataclass(frozen=True)
class Taken:
    id: str
    to: str
    text: str


class FakeGateway:
    def __init__(self) -> None:
        self.taken: list[Taken] = []
        self.requests = 0
        self.mode = "ok"  # "ok", "fail" (HTTP 500), "refuse" (code 202), "slow" (takes it, late)
        self.delay = 0.0
        self.lock = threading.Lock()
        self._ids = itertools.count(770001)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with gateway.lock:
                    gateway.requests += 1
                    mode = gateway.mode
                if self.path != "/api/sms" or self.headers.get("X-Api-Key") != API_KEY:
                    return self._answer(401, {"success": "900"})
                if mode == "fail":
                    return self._answer(500, {"error": "internal"})
                if mode == "refuse":
                    return self._answer(200, {"success": "202", "messages": []})
                data = json.loads(body)
                with gateway.lock:
                    message = Taken(str(next(gateway._ids)), data["to"], data["text"])
                    gateway.taken.append(message)
                if mode == "slow":
                    time.sleep(gateway.delay)
                taken = [{"id": message.id, "success": True}]
                self._answer(200, {"success": "100", "messages": taken})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # (the client may have given up: a time-out)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/sms"

    def start(self) -> "FakeGateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def messages(self) -> list[Taken]:
        with self.lock:
            return list(self.taken)

"""The sandbox over HTTP: a stdlib ``ThreadingHTTPServer`` on loopback, a ticker
thread that lets generated orders arrive and move on, and a clean shutdown."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from saleschannel.spapi.sandbox.app import SandboxApp
from saleschannel.spapi.sandbox.wire import Request

log = logging.getLogger("saleschannel.spapi.sandbox")
TICK_SECONDS = 1.0


def _handler_for(app: SandboxApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "AmazonSandbox/1.0"
        # Headers and body leave in two writes: without this, Nagle's algorithm holds the
        # body back until the client's delayed ACK (some 40 ms a call on loopback).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            url = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=url.path,
                query_string=url.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            answer = app.handle(request)
            if answer.stall > 0:
                time.sleep(answer.stall)
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (a stall past its timeout): nobody is left to answer.
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            # Paths only: query strings and bodies stay out of the log.
            log.info("%s %s -> %s", self.command, urlsplit(self.path).path, args[1] if len(args) > 1 else "")

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class SandboxServer:
    """The HTTP server and its ticker; ``start()``, then ``stop()``."""

    def __init__(self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.httpd = _Server((host, port), _handler_for(app))
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        for target, name in ((self.httpd.serve_forever, "sandbox-http"), (self._tick, "sandbox-tick")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _tick(self) -> None:
        while not self._stopping.wait(TICK_SECONDS):
            try:
                self.app.tick()
                self.app.process_feeds()
            except Exception:  # a bad tick must not stop time for the rest of the run
                log.exception("sandbox tick failed")

    def stop(self) -> None:
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.app.close()


def run_in_thread(app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve ``app`` on a free loopback port in the background: ``(base_url, stop)``."""
    server = SandboxServer(app, host, port)
    server.start()
    return server.base_url, server.stop

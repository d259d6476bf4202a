"""bench/web.py's load generator against a small local server: it counts what is not a 200 as an
error, reconnects when the server closes a connection, and measures the server's memory."""

from __future__ import annotations

import importlib.util
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("bench_web", Path(__file__).parents[2] / "bench" / "web.py")
bench_web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_web)

BODY = "好" * 40_000  # larger than one read


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        Handler.seen.append((self.path, self.headers.get("Cookie", "")))
        body = BODY.encode() if self.path != "/login" else b"sign in"
        self.send_response(302 if self.path == "/login" else 200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen.clear()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


class _Session:
    host, cookie = "127.0.0.1", "sessionid=abc; csrftoken=def"

    def __init__(self, port):
        self.port = port


def test_a_page_of_200s_counts_every_response_and_sends_the_sessions_cookie(server):
    figures = bench_web.run_page(_Session(server), "/ok", connections=3, seconds=0.5)
    assert figures["errors"] == 0 and figures["requests"] == len(Handler.seen) > 10
    assert {cookie for _, cookie in Handler.seen} == {"sessionid=abc; csrftoken=def"}
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]


def test_a_redirect_to_sign_in_is_an_error_and_a_closed_connection_is_opened_again(server):
    redirected = bench_web.run_page(_Session(server), "/login", connections=2, seconds=0.3)
    assert redirected["requests"] > 0 and redirected["errors"] == redirected["requests"]
    closing = bench_web.run_page(_Session(server), "/close", connections=2, seconds=0.3)
    assert closing["requests"] > 4 and closing["errors"] == 0  # each request on a new connection


def test_the_sampler_reads_the_servers_resident_memory():
    sampler = bench_web.RssSampler(os.getpid())
    pids = sampler._tree()
    assert os.getpid() in pids
    assert 10 < sampler.rss(pids) < 100_000 and 0 < sampler.pss(pids) <= sampler.rss(pids) * 1.01

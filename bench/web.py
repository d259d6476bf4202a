"""A bounded load on the web pages a caseworker uses, against a live server on the configured database.

    uv run python bench/web.py                          # starts gunicorn (workers = cores), 20 clients × 60 s a page
    uv run python bench/web.py --server waitress        # the single-process waitress server instead
    uv run python bench/web.py --url http://127.0.0.1:8000 --server-pid 1234   # a running server
    uv run python bench/web.py --pages search_name,household --seconds 20

It reads the configured database (`DATABASE_URL`, `SAFETYNET_DATA_DIR`, as the server does) for
the ids the pages need (a township of the configured county, a household there, an open case,
a name and an ID number to search for), signs each role in once with the demo password, then
for every page of `PAGES` runs `--connections` clients for `--seconds` against it, each client
sending its next request when the last one is answered. A response other than 200, or a
redirect to the sign-in page, counts as an error. It prints one JSON line per page with
requests/s, `p50_ms`, `p95_ms`, `errors` and the server's `peak_rss_mb` (resident memory summed
over the server's processes, sampled every 0.2 s from /proc; pages a forked worker shares with the
master count once per process) and `peak_pss_mb` (each shared page split between its sharers,
sampled every 2 s: reading it costs the server's cores), and
a last JSON line with all pages, the load average of the machine before and after, and
`calibration_ms`: a fixed piece of pure-Python work timed on the idle machine before the load, in
the interpreter that runs the server. A page's work is mostly Python, so its requests/s scale
roughly with the inverse of that figure: compare runs from different machines or interpreters by
it, not by requests/s alone (docs/scale.md, "Figures from different machines").
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The pages: (name, URL with {placeholders} filled by `fixtures`, the account that opens it:
# "town"/"leader" of the township, "county" civil affairs, "office" the leading-group office).
PAGES = [
    ("search_name", "/households/?q={name}", "town"),
    ("search_id", "/households/?q={id_number}", "town"),
    ("search_pinyin", "/households/?q={initials}", "town"),
    ("household", "/households/{household}/", "town"),
    ("leads", "/cases/leads/?township={township}", "town"),
    ("cases", "/cases/?township={township}", "town"),
    ("case", "/cases/{case}/", "town"),
    ("roster", "/rosters/?township={township}&category=dibao", "county"),
    ("statistics", "/reports/statistics/", "county"),
    ("dashboard", "/reports/dashboard/", "office"),
]
ACCOUNTS = {
    "town": "town_{pinyin}",
    "leader": "leader_{pinyin}",
    "county": "county_mz",
    "office": "leading_office",
}


def _reference_work() -> int:
    seen: dict[str, int] = {}
    out = []
    for i in range(200_000):
        key = f"k{i % 1000}"
        seen[key] = seen.get(key, 0) + i
        out.append(key)
    return len("".join(out))


def calibration_ms() -> float:
    """The best of five timings of `_reference_work` (strings, a dict, a list: the kind of work a
    page does), in milliseconds."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        _reference_work()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fixtures() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
    import django

    django.setup()
    from safetynet.demo.province import bench_targets

    targets = bench_targets()
    if targets is None:
        sys.exit("bench/web.py: no township with households in the configured county (load a demo first)")
    return targets


class Session:
    """One signed-in account: its cookies, shared by the clients that act as it."""

    def __init__(self, host: str, port: int, username: str, password: str):
        self.host, self.port = host, port
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("GET", "/login/")
        r = conn.getresponse()
        body = r.read().decode()
        cookies = SimpleCookie()
        for h in r.headers.get_all("Set-Cookie") or []:
            cookies.load(h)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        conn.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items()),
                "Referer": f"http://{host}:{port}/login/",
            },
        )
        r = conn.getresponse()
        r.read()
        for h in r.headers.get_all("Set-Cookie") or []:
            cookies.load(h)
        if r.status != 302 or "sessionid" not in cookies:
            raise SystemExit(f"bench/web.py: sign-in as {username} failed ({r.status})")
        self.cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        conn.close()


class Connection:
    """One kept-alive HTTP/1.1 connection that sends the same GET again and again: the request's
    bytes built once, each response read by its Content-Length. (http.client parses every response
    header through the email package: the load generator's own CPU, which on one machine is taken
    from the server's cores, was mostly that.) A response without a Content-Length, or a closed
    connection, raises and counts as an error."""

    def __init__(self, host: str, port: int, request: bytes):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request, self.buf = request, bytearray()

    def get(self) -> tuple[int, bool]:
        """The response's status, and whether the server keeps the connection open."""
        self.sock.sendall(self.request)
        buf = self.buf
        while (end := buf.find(b"\r\n\r\n")) < 0:
            buf += self._recv(65536)
        lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise ConnectionError(f"a response without Content-Length ({status})")
        need = end + 4 + int(headers["content-length"])
        while len(buf) < need:
            buf += self._recv(max(65536, need - len(buf)))
        del buf[:need]
        connection = headers.get("connection", "").lower()
        keep = connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"
        return int(status), keep

    def _recv(self, n: int) -> bytes:
        chunk = self.sock.recv(n)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def run_page(session: Session, path: str, connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {session.host}:{session.port}\r\nCookie: {session.cookie}\r\n"
        "Accept-Encoding: identity\r\n\r\n"
    ).encode()

    def client():
        conn = None
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()  # a new connection's handshake counts in its first request
            try:
                if conn is None:
                    conn = Connection(session.host, session.port, request)
                status, keep = conn.get()
                ok = status == 200
                if not keep:
                    conn.close()
                    conn = None
            except OSError:  # ConnectionError, a timeout, a refused connection
                ok = False
                if conn is not None:
                    conn.close()
                conn = None
            mine.append(time.perf_counter() - t0)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started, cpu = time.monotonic(), time.process_time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.monotonic() - started
    cpu = time.process_time() - cpu
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "rps": round(n / took, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if n else None,
        "p95_ms": round(latencies[min(n - 1, int(n * 0.95))] * 1000, 1) if n else None,
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))] * 1000, 1) if n else None,
        "max_ms": round(latencies[-1] * 1000, 1) if n else None,
        "errors": errors[0],
        # the cores this load generator itself used: on one machine, taken from the server's
        "client_cores": round(cpu / took, 2),
    }


class RssSampler(threading.Thread):
    """Peak of the summed resident memory of a process and its children (/proc).

    RSS is read from `statm` every 0.2 s: the kernel keeps that count, so reading it costs the
    same whatever the process's size. PSS needs `smaps_rollup`, which walks every page table of the
    process (3–5 ms of kernel time for a loaded worker, taken from the cores the server is
    measured on, and holding its memory map's lock meanwhile): it is read every 2 s."""

    PSS_EVERY = 10  # samples

    def __init__(self, pid: int | None):
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_pss, self.running = pid, 0.0, 0.0, True
        self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            pids.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as f:
                        todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
        return pids

    def rss(self, pids: list[int]) -> float:
        """Resident memory in MB summed over the processes (pages the workers share with the
        master counted in each)."""
        kb = 0
        for p in pids:
            try:
                with open(f"/proc/{p}/statm") as f:
                    kb += int(f.read().split()[1]) * self.page_kb
            except OSError:
                pass
        return kb / 1024

    @staticmethod
    def pss(pids: list[int]) -> float:
        """The proportional share in MB (each shared page split between its sharers)."""
        kb = 0
        for p in pids:
            try:
                with open(f"/proc/{p}/smaps_rollup") as f:
                    kb += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            except OSError:
                pass
        return kb / 1024

    def run(self):
        n = 0
        while self.running and self.pid:
            pids = self._tree()
            self.peak = max(self.peak, self.rss(pids))
            if n % self.PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, self.pss(pids))
            n += 1
            time.sleep(0.2)

    def reset(self) -> tuple[float, float]:
        out = (round(self.peak, 1), round(self.peak_pss, 1))
        self.peak = self.peak_pss = 0.0
        return out


START_SECONDS = 300


def start_server(kind: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = os.environ.copy()
    if kind == "gunicorn":
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:safetynet.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "safetynet.wsgi:application",
        ]
    else:
        cmd = [
            sys.executable,
            "-m",
            "waitress",
            f"--listen=127.0.0.1:{port}",
            f"--threads={threads}",
            "safetynet.wsgi:application",
        ]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    # A first start builds the web font (about a minute on a slow machine) before it listens.
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit(f"bench/web.py: the server did not listen within {START_SECONDS} s")


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's pid, for peak_rss_mb")
    ap.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn processes")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads a process (gunicorn 2, as gunicorn_conf; waitress 8)",
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=3, help="seconds of load before each page's measure")
    ap.add_argument("--pages", help="comma-separated names (default: every page)")
    ap.add_argument("--password", default=None)
    args = ap.parse_args()

    fx = fixtures()
    from safetynet.demo.load import DEMO_PASSWORD

    log(f"fixtures: {fx}")
    calibration = calibration_ms()  # before the server starts and takes the cores
    pages = [p for p in PAGES if not args.pages or p[0] in args.pages.split(",")]
    server = None
    threads = args.threads or (2 if args.server == "gunicorn" else 8)
    if args.url:
        u = urllib.parse.urlparse(args.url)
        host, port, pid = u.hostname, u.port or 80, args.server_pid
    else:
        server = start_server(args.server, args.port, args.workers, threads)
        host, port, pid = "127.0.0.1", args.port, server.pid
    sampler = RssSampler(pid)
    sampler.start()
    before = loadavg()
    results = []
    try:
        sessions: dict[str, Session] = {}
        for name, url, role in pages:
            if role not in sessions:
                username = ACCOUNTS[role].format(**fx)
                sessions[role] = Session(host, port, username, args.password or DEMO_PASSWORD)
            path = url.format(**{k: urllib.parse.quote(str(v)) for k, v in fx.items()})
            if args.warmup:
                run_page(sessions[role], path, args.connections, args.warmup)
            sampler.reset()
            figures = run_page(sessions[role], path, args.connections, args.seconds)
            rss, pss = sampler.reset() if pid else (None, None)
            line = {
                "page": name,
                "url": path,
                "role": role,
                **figures,
                "peak_rss_mb": rss,
                "peak_pss_mb": pss,
                "connections": args.connections,
                "seconds": args.seconds,
                "server": "external"
                if args.url
                else f"{args.server} {args.workers if args.server == 'gunicorn' else 1}×{threads}",
                "loadavg": loadavg(),
            }
            results.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        sampler.running = False
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(
        json.dumps(
            {
                "pages": results,
                "loadavg_before": before,
                "loadavg_after": loadavg(),
                "calibration_ms": calibration,
                "python": f"{sys.executable} {sys.version.split()[0]}",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

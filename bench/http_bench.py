"""Requests per second of Accord's signed-in pages, against a floor measured in the same run.

Starts two servers itself, each under gunicorn with gunicorn.conf.py and 2 workers (or
`--workers N`), not recycled during the run (the steady state is measured):
  * Accord (wsgi:app) on the database given (default: a fresh SQLite file with the demo);
  * the floor: a bare Flask + sqlite3 + Jinja page that reads one row and renders about
    5 KB, the least any page served by Python on this machine can cost.
Then, page by page, it alternates floor and Accord under the same load (wrk with 8
connections if installed, else a Python load generator with 8 threads) and prints one
line per page: Accord's req/s, the floor's, and the ratio. The ratio is what compares
across machines and runs. With the large community, a last line says how many times
slower each page is there than on the demo (the issue's "flat within 1.2x"), from the
two pages' ratios.

    python bench/http_bench.py [--database-url URL] [--seconds 5] [--rounds 2] [--workers 2]
                               [--writes | --cpu]

Pages: community home, agreement, history, proposal, compare, decision record, for the
demo and, when the database has it (`flask --app wsgi demo --large`), the large community.
Signed in as the demo's facilitator, who belongs to both.

With --writes, instead of the pages: a stance, a comment and an objection posted as forms
by 8 signed-in members on the demo's proposals, each against the floor, then a check that
nothing was lost (bench/http_writes.py).

With --cpu, instead of throughput under load: the CPU time one request costs, measured in
the server's one worker (its user and system time from /proc) over `--requests` requests
sent one at a time, for each page and for the floor. A loaded machine changes how fast
requests are served far more than what each one costs, so these figures move much less
between runs; the ratio (the floor's cost over the page's) reads like the req/s ratio.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from flask import Flask, render_template_string
from http_writes import MEMBERS, Client, measure
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 8
FACILITATOR = ("facilitator@demo.accord", "accord-demo-2026")
FLOOR_DB = os.environ.get("FLOOR_DB", "")
FLOOR_TEMPLATE = """<!doctype html><html lang="en"><head><title>{{ row[1] }}</title></head>
<body><main><h1>{{ row[1] }}</h1>{% for n in range(40) %}
<p>Paragraph {{ n }} of {{ row[1] }}: {{ row[2] }}</p>{% endfor %}</main></body></html>"""


def floor_app() -> Flask:
    """The floor: one row read with sqlite3, one Jinja template, about 5 KB of HTML."""
    app = Flask("floor")

    @app.get("/")
    def page() -> str:
        connection = sqlite3.connect(FLOOR_DB)
        row = connection.execute("SELECT id, title, body FROM page WHERE id = 1").fetchone()
        connection.close()
        return render_template_string(FLOOR_TEMPLATE, row=row)

    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(
    target: str, env: dict[str, str], chdir: Path, workers: int, *options: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c", str(ROOT / "gunicorn.conf.py"),
        "--chdir", str(chdir),
        "-w", str(workers),
        "-b", f"127.0.0.1:{port}",
        "--access-logfile", "/dev/null",
        *options,
        target,
    ]  # fmt: skip
    server = subprocess.Popen(command, env={**os.environ, **env}, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            return server, base
        except urllib.error.HTTPError:
            return server, base  # answering, if only with a redirect or 404
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"{target} did not start")


def _csrf_token(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None, "no CSRF token on the page"
    return token.group(1)


def _sign_in(base: str, email: str = FACILITATOR[0]) -> Client:
    """A signed-in session of a demo member (the facilitator unless `email` is given)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = _csrf_token(opener.open(base + "/sign-in").read().decode())
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": FACILITATOR[1]}
    ).encode()
    page = opener.open(base + "/sign-in", body).read().decode()  # redirected to a page
    cookie = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    return Client(cookie, _csrf_token(page))


def _pages(database_url: str) -> list[tuple[str, str]]:
    """(label, path) of every measured page, for each community the database holds."""
    engine = create_engine(database_url)
    pages = []
    with engine.connect() as db:
        for label, slug in (("demo", "climate-litigators"), ("large", "open-justice-network")):
            found = db.execute(
                text(
                    "SELECT a.id, a.slug FROM agreement a JOIN community c ON c.id = a.community_id"
                    " WHERE c.slug = :slug ORDER BY a.id LIMIT 1"
                ),
                {"slug": slug},
            ).first()
            if found is None:
                continue
            proposal = db.execute(
                text("SELECT id FROM proposal WHERE agreement_id = :a AND state = 'consent'"),
                {"a": found.id},
            ).scalar()
            record = db.execute(
                text(
                    "SELECT min(number) FROM version"
                    " WHERE agreement_id = :a AND proposal_id IS NOT NULL"
                ),
                {"a": found.id},
            ).scalar()
            base = f"/c/{slug}/a/{found.slug}"
            pages += [
                (f"{label} community home", f"/c/{slug}"),
                (f"{label} agreement", base),
                (f"{label} history", f"{base}/history"),
                (f"{label} proposal", f"/p/{proposal}"),
                (f"{label} compare", f"{base}/compare"),
                (f"{label} decision record", f"{base}/v/{record}/record"),
            ]
    engine.dispose()
    return pages


def _wrk(url: str, cookie: str, seconds: float) -> float:
    """Requests per second of `url` under wrk; every answer must be a 2xx or 3xx."""
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", *header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found is not None, out
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert errors is None, f"{url}: {errors.group(0) if errors else ''}"
    return float(found.group(1))


def _python_load(url: str, cookie: str, seconds: float) -> float:
    """Requests per second of `url` fetched by 8 threads, for machines without wrk."""
    done = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        while time.monotonic() < stop:
            with urllib.request.urlopen(request) as response:
                response.read()
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started)


def _demo_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'accord.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url}
    flask = str(Path(sys.executable).parent / "flask")
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([flask, "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
    return url


def _floor_database(folder: Path) -> str:
    path = folder / "floor.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE page (id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
    connection.execute(
        "INSERT INTO page VALUES (1, 'Community Agreement', ?)",
        ("We share what we learn so that every case is stronger than the last.",),
    )
    connection.commit()
    connection.close()
    return str(path)


def _pages_against_floor(
    accord: str, floor: Callable[[float], float], database_url: str,
    load: Callable[[str, str, float], float], options: argparse.Namespace,
) -> None:  # fmt: skip
    """One line per page: Accord's req/s under `load`, alternated with the floor's."""
    cookie = _sign_in(accord).cookie
    print(f"{'page':<28} {'accord req/s':>12} {'floor req/s':>12} {'ratio':>7}")
    ratios = {}
    for label, path in _pages(database_url):
        _python_load(accord + path, cookie, 0.5)  # warm the workers
        ours, floors = [], []
        for _ in range(options.rounds):
            floors.append(floor(options.seconds))
            ours.append(load(accord + path, cookie, options.seconds))
        mine, base = statistics.mean(ours), statistics.mean(floors)
        ratios[label] = mine / base
        print(f"{label:<28} {mine:>12.1f} {base:>12.1f} {ratios[label]:>7.1%}", flush=True)
    _flatness(ratios)


def _flatness(ratios: dict[str, float]) -> None:
    """How much slower each page is on the large community than on the demo (each as a
    share of the floor, so a busier moment of the machine cancels out)."""
    pages = [label.removeprefix("demo ") for label in ratios if label.startswith("demo ")]
    slower = {page: ratios[f"demo {page}"] / ratios[f"large {page}"] for page in pages
              if f"large {page}" in ratios}  # fmt: skip
    if slower:
        print("large community against the demo: " + ", ".join(
            f"{page} {times:.2f}x" for page, times in slower.items()))  # fmt: skip


def _worker_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """User and system CPU time of the gunicorn server's one worker, from /proc."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    assert len(children) == 1, "--cpu needs exactly one worker per server"
    fields = Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_per_request(server: subprocess.Popen[bytes], url: str, cookie: str, count: int) -> float:
    """Milliseconds of the worker's CPU per request, `count` requests sent one at a time."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    for _ in range(10):  # warm the worker's caches
        urllib.request.urlopen(request).read()
    before = _worker_cpu_seconds(server)
    for _ in range(count):
        urllib.request.urlopen(request).read()
    return (_worker_cpu_seconds(server) - before) / count * 1000


def _cpu(
    servers: tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]],
    accord: str, floor: str, database_url: str, options: argparse.Namespace,
) -> None:  # fmt: skip
    """One line per page: the CPU a request costs Accord's worker, and the floor's."""
    cookie = _sign_in(accord).cookie
    print(f"{'page':<28} {'accord ms':>10} {'floor ms':>9} {'ratio':>7}")
    ratios = {}
    for label, path in _pages(database_url):
        ours, floors = [], []
        for _ in range(options.rounds):
            floors.append(_cpu_per_request(servers[1], floor + "/", "", options.requests))
            ours.append(_cpu_per_request(servers[0], accord + path, cookie, options.requests))
        mine, base = statistics.mean(ours), statistics.mean(floors)
        ratios[label] = base / mine
        print(f"{label:<28} {mine:>10.2f} {base:>9.2f} {ratios[label]:>7.1%}", flush=True)
    _flatness(ratios)


def _writes(
    accord: str, floor: Callable[[float], float], database_url: str,
    _load: Callable[[str, str, float], float], options: argparse.Namespace,
) -> None:  # fmt: skip
    """One line per write kind (http_writes.py), from 8 sessions of the demo's members."""
    clients = [_sign_in(accord, MEMBERS[n % len(MEMBERS)]) for n in range(CONNECTIONS)]
    measure(accord, database_url, clients, floor, seconds=options.seconds, rounds=options.rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="Accord's database (default: a fresh demo)")
    parser.add_argument("--seconds", type=float, default=5.0, help="load per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="alternations per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--writes", action="store_true", help="the write use cases, not pages")
    parser.add_argument("--cpu", action="store_true", help="CPU per request, one worker each")
    parser.add_argument("--requests", type=int, default=200, help="requests per --cpu figure")
    options = parser.parse_args()
    load: Callable[[str, str, float], float] = _wrk if shutil.which("wrk") else _python_load
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        database_url = options.database_url or _demo_database(folder)
        workers = 1 if options.cpu else options.workers
        # Workers are not recycled during a run (gunicorn.conf.py recycles one after about
        # 5,000 requests): a fresh worker's first requests, its caches still empty, would
        # land on whichever page is measured at the time. --cpu also follows one worker.
        steady = ("--max-requests", "0")
        accord, accord_base = _serve(
            "wsgi:app", {"DATABASE_URL": database_url}, ROOT, workers, *steady
        )
        floor, floor_base = _serve(
            "http_bench:floor_app()",
            {"FLOOR_DB": _floor_database(folder)},
            ROOT / "bench",
            workers,
            *steady,
        )
        try:
            if options.cpu:
                print(
                    f"CPU per request, {options.requests} requests one at a time, one worker each"
                )
                _cpu((accord, floor), accord_base, floor_base, database_url, options)
                return
            what = f"{CONNECTIONS} connections, {workers} workers each"
            print(f"load: {load.__name__.strip('_')}, {what}")
            measured = _writes if options.writes else _pages_against_floor
            measured(accord_base, lambda seconds: load(floor_base + "/", "", seconds),
                     database_url, load, options)  # fmt: skip
        finally:
            for server in (accord, floor):
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()

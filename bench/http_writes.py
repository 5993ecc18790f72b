"""Write use cases over HTTP for bench/http_bench.py --writes: the form POSTs a browser sends.

Each write kind is one form of the demo's proposal pages, posted as a browser without
JavaScript posts it: the session cookie of a signed-in member, the CSRF token, a fresh
one-time form token and the form's fields. Success is the 303 back to the proposal; the
redirected page itself is a page read (measured by the page lines), so it is not fetched.
  * stance: consent or stand aside, alternately, on the proposal in its consent round (a
    participant may change their stance while the round is open; each change is a row);
  * comment: a reaction on the proposal in its comment stage;
  * objection: a reason raised on the proposal in its objection round.
8 clients (threads, one signed-in session each, the demo's six members signed in in turn)
post for the given seconds; each counts its own answers, so the count is exact, which a
load generator that stops mid-request (wrk) cannot give. Afterwards the rows of the kind
and the audit events must have grown by exactly the successes, and `flask audit verify`
must pass: nothing lost, nothing written twice.
"""

from __future__ import annotations

import http.client
import itertools
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = (
    "facilitator@demo.accord",
    "ines@demo.accord",
    "jonas@demo.accord",
    "lucia@demo.accord",
    "piotr@demo.accord",
    "sofia@demo.accord",
)


@dataclass(frozen=True)
class Write:
    """One kind of write: the stage its proposal waits in, its form, and the rows it adds."""

    label: str
    state: str
    action: str
    fields: Callable[[int], dict[str, str]]
    rows: str  # SQL counting the kind's rows on proposal :p


def _stance(n: int) -> dict[str, str]:
    if n % 2:
        return {"position": "stand_aside", "reason": "I trust the group on this one."}
    return {"position": "consent", "reason": ""}


def _comment(n: int) -> dict[str, str]:
    return {
        "kind": "reaction",
        "body": f"Comment {n}: I have read it; it reads well.",
        "anchor": "",
    }


def _objection(n: int) -> dict[str, str]:
    return {"reason": f"Objection {n}: 'final judgment' needs a definition.", "passage": ""}


WRITES = (
    Write(
        "stance (consent / stand aside)",
        "consent",
        "stance",
        _stance,
        "SELECT count(*) FROM stance s JOIN round r ON r.id = s.round_id WHERE r.proposal_id = :p",
    ),
    Write(
        "comment",
        "comment",
        "comment",
        _comment,
        "SELECT count(*) FROM comment WHERE proposal_id = :p",
    ),
    Write(
        "objection",
        "objection",
        "object",
        _objection,
        "SELECT count(*) FROM objection WHERE proposal_id = :p",
    ),
)
EVENTS = "SELECT count(*) FROM audit_event"


@dataclass(frozen=True)
class Client:
    """A signed-in session: its cookie and a CSRF token valid with it."""

    cookie: str
    csrf: str


def post_load(
    base: str, path: str, clients: list[Client], write: Write, seconds: float
) -> tuple[int, float, Counter[str]]:
    """Successes, successes per second, and the other answers by status, of `clients`
    posting `write`'s form to `path` in parallel until `seconds` have passed."""
    address = urllib.parse.urlsplit(base)
    numbers = itertools.count()
    ok = [0]
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    page = path.rsplit("/", 1)[0]  # the proposal, where the form is and the answer leads

    def client_loop(client: Client) -> None:
        headers = {
            "Cookie": client.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": base + page,
        }
        while time.monotonic() < stop:
            form = {
                "csrf_token": client.csrf,
                "form_token": secrets.token_urlsafe(18),
                **write.fields(next(numbers)),
            }
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            try:
                connection.request("POST", path, urllib.parse.urlencode(form), headers)
                response = connection.getresponse()
                response.read()
                done = response.status == 303 and response.getheader("Location", "").endswith(page)
                outcome = "" if done else str(response.status)
            except OSError as error:
                outcome = type(error).__name__
            finally:
                connection.close()
            with lock:
                if outcome:
                    failures[outcome] += 1
                else:
                    ok[0] += 1

    threads = [threading.Thread(target=client_loop, args=(client,)) for client in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok[0], ok[0] / (time.monotonic() - started), failures


def _counts(database_url: str, write: Write, proposal: int) -> tuple[int, int]:
    engine = create_engine(database_url)
    with engine.connect() as db:
        rows = db.execute(text(write.rows), {"p": proposal}).scalar_one()
        events = db.execute(text(EVENTS)).scalar_one()
    engine.dispose()
    return rows, events


def _proposals(database_url: str) -> dict[str, int]:
    """The demo's open proposal in each stage, by state."""
    engine = create_engine(database_url)
    with engine.connect() as db:
        found = db.execute(
            text(
                "SELECT p.state, p.id FROM proposal p JOIN agreement a ON a.id = p.agreement_id"
                " JOIN community c ON c.id = a.community_id WHERE c.slug = 'climate-litigators'"
            )
        ).all()
    engine.dispose()
    return {state: pid for state, pid in found}


def audit_verify(database_url: str) -> str:
    """The last line `flask --app wsgi audit verify` prints; raises if it fails."""
    flask = str(Path(sys.executable).parent / "flask")
    done = subprocess.run(
        [flask, "--app", "wsgi", "audit", "verify"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    last = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
    if done.returncode != 0:
        raise SystemExit(f"audit verify failed: {last}")
    return last


def measure(
    accord_base: str,
    database_url: str,
    clients: list[Client],
    floor: Callable[[float], float],
    *,
    seconds: float,
    rounds: int,
) -> None:
    """Alternate `floor(seconds)` (its req/s) and each write kind; print a line per kind,
    then check that every success, and only those, was written."""
    proposals = _proposals(database_url)
    print(f"{'write':<32} {'accord/s':>9} {'floor req/s':>12} {'ratio':>7}  errors  rows+  events+")
    problems = []
    for write in WRITES:
        path = f"/p/{proposals[write.state]}/{write.action}"
        post_load(accord_base, path, clients, write, 0.5)  # warm the workers
        rows, events = _counts(database_url, write, proposals[write.state])
        ours, floors, successes, failures = [], [], 0, Counter[str]()
        for _ in range(rounds):
            floors.append(floor(seconds))
            done, rate, failed = post_load(accord_base, path, clients, write, seconds)
            ours.append(rate)
            successes += done
            failures += failed
        rows_after, events_after = _counts(database_url, write, proposals[write.state])
        mine, base = sum(ours) / rounds, sum(floors) / rounds
        errors = ",".join(f"{n}x{status}" for status, n in failures.items()) or "0"
        grown = (rows_after - rows, events_after - events)
        print(f"{write.label:<32} {mine:>9.1f} {base:>12.1f} {mine / base:>7.1%}  {errors:>6}"
              f"  {grown[0]:>5}  {grown[1]:>7}", flush=True)  # fmt: skip
        if grown != (successes, successes):
            problems.append(f"{write.label}: {successes} successes, rows+events grew by {grown}")
    print("audit verify:", audit_verify(database_url))
    if problems:
        raise SystemExit("lost or doubled writes: " + "; ".join(problems))
    print("nothing lost: each kind's rows and the audit events grew by exactly its successes")

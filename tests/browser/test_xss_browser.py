"""The worst XSS payloads, written where people write, shown by the real pages in Chromium.

Each payload would set `window.__xss`, open a dialog or make htmx send a request if it
survived. The payloads go into an agreement text, a proposal's title and rationale, a
comment, an objection's reason and a person's name; the pages are then visited signed in.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from agreements import services
from agreements.models import Agreement, User
from agreements.storage.engines import make_engine
from tests.unit.xss_payloads import WORST

from .conftest import sign_in

pytestmark = pytest.mark.browser
FACILITATOR = "facilitator@demo.accord"
MEMBER = "ines@demo.accord"
PAYLOAD_TEXT = "\n\n".join(WORST)


def plant_payloads(database_url: str) -> str:
    """Write the worst payloads everywhere text is shown; returns the proposal's path."""
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as db:
        facilitator = db.exec(select(User).where(User.email == FACILITATOR)).one()
        member = db.exec(select(User).where(User.email == MEMBER)).one()
        member.display_name = WORST[0][:120]
        db.add(member)
        db.commit()
        agreement = db.exec(select(Agreement)).first()
        assert agreement is not None
        proposal = services.propose_amendment(
            db,
            member,
            agreement_id=agreement.id,
            title=WORST[1],
            rationale=PAYLOAD_TEXT,
            text=services.current_version(db, agreement.id).text + "\n\n" + PAYLOAD_TEXT,
        )
        services.open_comments(db, facilitator, proposal_id=proposal.id)
        services.add_comment(db, member, proposal_id=proposal.id, body=PAYLOAD_TEXT)
        services.raise_objection(db, member, proposal_id=proposal.id, reason=PAYLOAD_TEXT)
    engine.dispose()
    return f"/p/{proposal.id}"


def test_no_payload_runs_on_any_page(browser, live_server: str, demo_sqlite_url: str) -> None:
    proposal_path = plant_payloads(demo_sqlite_url)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    try:
        sign_in(page, live_server, FACILITATOR)
        for path in (proposal_path, f"{proposal_path}/diff", "/c/climate-litigators"):
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("typeof window.__xss") == "undefined", path
        assert "/sign-out" not in " ".join(requests)
        assert not any("evil.example" in url for url in requests)
        assert dialogs == []
        page.goto(live_server + proposal_path)
        assert page.get_by_text("<script>window.__xss=1</script>").count() > 0  # text, not code
        page.goto(live_server + "/account")
        assert "/sign-in" not in page.url  # no payload signed us out
    finally:
        context.close()

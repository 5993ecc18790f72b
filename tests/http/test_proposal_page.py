"""The proposal page leads: the person's stance first (already selected), one way to object,
the facilitator's next step as the primary button, a tally in words and bars, stage badges
with an icon, and refusals in plain words."""

from __future__ import annotations

import re

from sqlmodel import select

from agreements import services
from agreements.models import Comment

from .conftest import HX, proposal_at


def test_the_stance_form_comes_before_the_diff_with_my_stance_selected(client, login, world, make):
    """A participant's earlier stance and reason are preselected, above the diff."""
    proposal = proposal_at(make, world, "consent")
    member = world.members[1]
    services.register_stance(
        make.session, member, proposal_id=proposal.id, position="stand_aside", reason="Not my area."
    )
    make.session.commit()
    login(client, member)
    page = client.get(f"/p/{proposal.id}").text
    assert page.index('id="my-stance"') < page.index('id="proposal-diff"')
    checked = re.findall(r'id="position-(\w+)"[^>]*\bchecked\b', page)
    assert checked == ["stand_aside"]
    assert "Not my area.</textarea>" in page


def test_in_a_consent_round_the_stance_is_the_one_way_to_object(client, login, world, make):
    """A participant objects with their stance; the separate objection form is only offered
    in the stages without a stance."""
    login(client, world.members[1])
    consent = client.get(f"/p/{proposal_at(make, world, 'consent').id}").text
    assert "Raise the objection" not in consent
    assert 'id="position-object"' in consent
    objection = client.get(f"/p/{proposal_at(make, world, 'objection').id}").text
    assert "Raise the objection" in objection
    assert 'id="my-stance"' not in objection


def test_the_facilitators_next_step_is_the_primary_button_and_closing_is_secondary(
    client, login, world, make
):
    """With quorum met, adopting is an open form with the primary button; rejecting is
    folded, secondary and needs confirming."""
    proposal = proposal_at(make, world, "consent")
    for person in world.members:
        services.register_stance(make.session, person, proposal_id=proposal.id, position="consent")
    make.session.commit()
    login(client, world.facilitator)
    page = client.get(f"/p/{proposal.id}").text
    next_step = page[page.index('id="next-adopt"') :]
    next_step = next_step[: next_step.index("</div>")]
    assert "<details" not in next_step and "Adopt this proposal as version 3</button>" in next_step
    assert 'class="danger"' not in page
    assert "<summary>Reject the proposal</summary>" in page
    assert '<button type="submit" class="secondary">Reject the proposal</button>' in page
    assert "Close without a decision" not in page  # quorum is met: it is adopted instead
    assert page.count('name="confirm"') == 2  # adopting and rejecting are both confirmed


def test_a_refused_next_step_says_why_and_what_to_do(client, login, world, make):
    """Before quorum, the page gives the protocol's reason and the way forward."""
    proposal = proposal_at(make, world, "consent")
    login(client, world.facilitator)
    page = client.get(f"/p/{proposal.id}").text
    assert "Adopt this proposal as version 3: not possible yet." in page
    assert "quorum is not met" in page
    assert "once enough people have answered, adopting becomes possible here" in page


def test_the_tally_counts_organisations_in_words_and_bars(client, login, make):
    """When quorum counts organisations the tally says so, with how many are needed, and
    draws bars with attributes only (the CSP forbids inline styles)."""
    world = make.community(members=0, quorum_rule="organisation", quorum_percent=50)
    for organisation in ("North", "North", "South", "East"):
        world.member(organisation=organisation)
    proposal = proposal_at(make, world, "consent")
    services.register_stance(
        make.session, world.members[0], proposal_id=proposal.id, position="consent"
    )
    make.session.commit()
    login(client, world.members[1])
    tally = client.get(f"/p/{proposal.id}/tally", headers=HX).text
    assert "Quorum counts organisations" in tally
    assert "1 of 4 organisations have answered; 2 are needed." in tally  # 3 + the facilitator
    assert "Quorum is not reached yet." in tally
    assert '<rect class="tally-consent"' in tally and 'width="20.00"' in tally  # 1 of 5 people
    assert "Per organisation" in tally and "North" in tally
    assert "style=" not in tally


def test_the_tally_kept_between_views_shows_each_new_answer_and_name(client, login, world, make):
    """The tally is kept rendered between views (web/fragments.py) under all it shows: an
    answer, a changed reason or a changed name shows on the next view."""
    proposal = proposal_at(make, world, "consent")
    member = world.members[0]
    login(client, world.members[1])

    def answer(position: str, reason: str = "") -> None:
        services.register_stance(
            make.session, member, proposal_id=proposal.id, position=position, reason=reason
        )
        make.session.commit()

    def tally() -> str:
        return client.get(f"/p/{proposal.id}/tally", headers=HX).text

    assert "0 consent" not in tally() and 'Consent: <span class="count-number">0<' in tally()
    answer("stand_aside", "Not my area.")
    assert "1 stand aside" in tally() and "Not my area." in tally()
    answer("stand_aside", "Still not my area.")
    assert "Still not my area." in tally()
    member.display_name = "Renamed Person"  # no use case renames yet; the tally must follow
    make.session.add(member)
    make.session.commit()
    assert "Renamed Person" in tally()


def test_stage_badges_have_their_own_class_and_icon(client, login, world, make):
    """Each stage's badge carries its stage class and an icon, here and on the community page."""
    proposal = proposal_at(make, world, "objection")
    login(client, world.members[1])
    page = client.get(f"/p/{proposal.id}").text
    assert re.search(r'class="badge stage stage-objection"><svg class="stage-icon"', page)
    community = client.get(f"/c/{world.community.slug}").text
    assert re.search(
        r'class="badge stage stage-objection"><svg[^>]*>.*?</svg>Objection round', community
    )


def test_a_page_refusal_is_a_plain_sentence(client, login, world, make):
    """Input that needs fixing is shown without the API's "Invalid input" title."""
    proposal = proposal_at(make, world, "consent")
    login(client, world.members[1])
    response = client.post(f"/p/{proposal.id}/stance", data={"position": "object"})
    assert response.status_code == 422
    assert "Please check what you entered:</strong> Reason is required." in response.text
    assert "Invalid input" not in response.text


def test_the_discussion_kept_between_views_shows_each_new_comment_and_name(
    client, login, world, make
):
    """The threads are kept rendered between views (web/fragments.py) under all they show:
    a new reply and a changed name show on the next view."""
    proposal = proposal_at(make, world, "comment")
    author, reader = world.members[0], world.members[1]
    first = services.add_comment(make.session, author, proposal_id=proposal.id, body="Why now?")
    make.session.commit()
    login(client, reader)
    assert "Why now?" in client.get(f"/p/{proposal.id}").text
    services.add_comment(
        make.session, author, proposal_id=proposal.id, body="Because.", parent_id=first.id
    )
    make.session.commit()
    discussion = client.get(f"/p/{proposal.id}").text.split('id="discussion"')[1]
    assert re.search(r"Why now\?.*Because\.", discussion, re.S)
    author.display_name = "Renamed Author"
    make.session.add(author)
    make.session.commit()
    discussion = client.get(f"/p/{proposal.id}").text.split('id="discussion"')[1]
    assert discussion.count("<strong>Renamed Author</strong>") == 2


def test_kept_reply_forms_carry_each_readers_own_tokens(
    app, client_without_csrf, login, world, make
):
    """A kept discussion holds a reply form under each comment, but never one reader's
    tokens: each view fills in the reader's CSRF token and a fresh form token per form, so
    replies sent from the second reader's page, and a second page of the first, are saved."""
    proposal = proposal_at(make, world, "comment")
    comment = services.add_comment(
        make.session, world.members[0], proposal_id=proposal.id, body="Why now?"
    )
    make.session.commit()
    action = f"/p/{proposal.id}/comment"
    readers = [(world.members[1], client_without_csrf), (world.facilitator, app.test_client())]
    views = []
    for reader, browser in readers * 2:  # four views of one discussion, then four replies
        login(browser, reader)
        page = browser.get(f"/p/{proposal.id}").text
        reply = re.search(
            rf'<form[^>]*action="{action}"(?:(?!</form>).)*name="parent_id" value="{comment.id}"'
            r".*?</form>",
            page,
            re.S,
        )
        assert reply is not None
        tokens = dict(re.findall(r'name="(csrf_token|form_token)" value="([^"]+)"', reply[0]))
        views.append((browser, tokens, re.findall(r'name="form_token" value="([^"]+)"', page)))
    every_form_token = [token for _, _, page_tokens in views for token in page_tokens]
    assert len(set(every_form_token)) == len(every_form_token)  # one per form and view
    for n, (browser, tokens, _) in enumerate(views):
        sent = browser.post(
            action, data={**tokens, "parent_id": comment.id, "kind": "reaction", "body": f"R{n}"}
        )
        assert sent.status_code == 303, sent.text
    replies = make.session.exec(select(Comment).where(Comment.parent_id == comment.id)).all()
    assert sorted(r.body for r in replies) == ["R0", "R1", "R2", "R3"]

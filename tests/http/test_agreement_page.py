"""The agreement page reads like a document: contents, provenance on demand, and the open
proposals that would change each section marked beside it."""

from __future__ import annotations

import re

from agreements import services

from .conftest import ADOPTED_TEXT, HX

PURPOSE_CHANGED = ADOPTED_TEXT.replace("We share what we learn.", "We share all we learn.")


def agreement_page(client, world, query: str = "", headers=None) -> str:
    """The agreement page's HTML."""
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}{query}"
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.data.decode()


def section(page: str, heading_id: str) -> str:
    """The HTML of the section that starts with this heading, up to the next section."""
    start = page.index(f'id="{heading_id}"')
    end = page.find('<div class="agreement-section">', start)
    return page[start : end if end != -1 else len(page)]


def test_provenance_is_hidden_until_asked_for(client, login, world):
    """By default the text reads cleanly; the toggle shows each paragraph's decision."""
    login(client, world.members[1])
    plain = agreement_page(client, world)
    assert 'class="provenance"' not in plain
    assert "Show where each paragraph came from" in plain
    assert f'href="/c/{world.community.slug}/a/{world.agreement.slug}?provenance=1"' in plain

    shown = agreement_page(client, world, "?provenance=1")
    assert "Hide where each paragraph came from" in shown
    record = f"/c/{world.community.slug}/a/{world.agreement.slug}/v/2/record"
    care = section(shown, "md-care")
    assert f'href="{record}">version 2, “Change the purpose”</a>' in care
    purpose = section(shown, "md-purpose")
    assert "version 2" not in purpose and ">version 1</a>" in purpose
    # htmx swaps the same page in place
    assert "<html" not in agreement_page(client, world, "?provenance=1", HX)


def test_contents_list_the_headings_in_order_with_working_anchors(client, login, world):
    """A long agreement gets a Contents navigation whose links reach their headings."""
    login(client, world.members[0])
    page = agreement_page(client, world)
    contents = page[page.index('<nav class="contents" aria-label="Contents">') :]
    contents = contents[: contents.index("</nav>")]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', contents)
    assert [title for _anchor, title in links] == ["Our agreement", "Purpose", "Care", "Decisions"]
    for anchor, _title in links:
        assert page.count(f'id="{anchor}"') == 1


def test_short_or_heading_free_agreements_render_without_contents(client, login, make):
    """An agreement without headings is still a page, with no empty Contents."""
    world = make.community(private=False, text="We share what we learn.\n\nWe decide by consent.\n")
    page = agreement_page(client, world)
    assert "We decide by consent." in page
    assert 'aria-label="Contents"' not in page


def test_repeated_headings_get_their_own_anchors(client, make):
    """Two headings with the same words each get a distinct id that the contents link to."""
    text = "## Scope\nOne.\n\n## Care\nTwo.\n\n## Scope\nThree.\n"
    world = make.community(private=False, text=text)
    page = agreement_page(client, world)
    assert 'href="#md-scope"' in page and 'href="#md-scope_1"' in page
    assert page.count('id="md-scope"') == 1 and page.count('id="md-scope_1"') == 1


def test_open_proposals_are_marked_beside_the_sections_they_change(client, login, world, make):
    """Only the changed section is marked, with a link; drafts of others never show."""
    proposal = make.proposal(world, stage="comment", text=PURPOSE_CHANGED)
    services.propose_amendment(
        make.session,
        world.members[1],
        agreement_id=world.agreement.id,
        title="A private draft",
        rationale="Not yet.",
        text=ADOPTED_TEXT.replace("We decide by consent.", "We decide together."),
        submit=False,
    )
    make.session.commit()
    login(client, world.members[0])
    page = agreement_page(client, world)
    purpose = section(page, "md-purpose")
    assert "1 open proposal changes this section:" in purpose
    assert f'href="/p/{proposal.id}">Change the purpose</a>' in purpose
    for untouched in ("md-care", "md-decisions"):
        assert "open proposal" not in section(page, untouched)
    assert "A private draft" not in page


def test_a_proposal_written_on_an_older_version_marks_where_its_change_is_now(
    client, login, world, make
):
    """A stale proposal's change is placed on the current text's paragraphs."""
    stale = make.proposal(world, stage="proposed", text=PURPOSE_CHANGED)
    adopted_since = PURPOSE_CHANGED.replace("We decide by consent.", "We decide together.")
    make.proposal(world, stage="adopted", text=adopted_since.replace("share all", "share what"))
    make.session.rollback()
    login(client, world.members[0])
    page = agreement_page(client, world)
    assert f'href="/p/{stale.id}"' in section(page, "md-purpose")
    assert "open proposal" not in section(page, "md-decisions")


def test_the_text_kept_between_views_shows_what_changed_since(client, login, world, make):
    """The text is kept rendered between views (web/fragments.py) under all it shows: a
    proposal opened since, and a version adopted since, show on the next view."""
    login(client, world.members[0])
    assert "open proposal" not in section(agreement_page(client, world), "md-purpose")
    opened = make.proposal(world, stage="comment", text=PURPOSE_CHANGED)
    make.session.commit()
    purpose = section(agreement_page(client, world), "md-purpose")
    assert f'href="/p/{opened.id}">Change the purpose</a>' in purpose
    make.proposal(world, stage="adopted", text=ADOPTED_TEXT.replace("consent.", "consensus."))
    make.session.rollback()
    page = agreement_page(client, world)
    assert "We decide by consensus." in page and "We decide by consent." not in page
    assert f'href="/p/{opened.id}"' in section(page, "md-purpose")


def test_the_recent_versions_kept_between_views_show_what_changed_since(client, login, world, make):
    """The list of recent versions is kept rendered too (web/fragments.py): a version adopted
    since and an adopter's new name show on the next view."""
    login(client, world.members[0])
    agreement_page(client, world)
    adopted = make.proposal(world, stage="adopted", text=PURPOSE_CHANGED)
    version = services.current_version(make.session, world.agreement.id)
    make.session.rollback()
    history = agreement_page(client, world).split('id="history-title"')[1]
    assert f'href="/p/{adopted.id}">Change the purpose</a>' in history
    adopter = make.session.get(type(world.members[0]), version.adopted_by_id)
    adopter.display_name = "Renamed Facilitator"
    make.session.commit()
    history = agreement_page(client, world).split('id="history-title"')[1]
    assert f"Version {version.number}</a>" in history
    assert "by Renamed Facilitator" in history


def test_kept_moments_are_said_in_each_readers_time_zone(client, login, world, make):
    """A kept part names moments (when each version was adopted), so a reader in another
    time zone gets their own rendering, not the first reader's."""
    login(client, world.members[0])
    first = agreement_page(client, world).split('id="history-title"')[1]
    world.members[1].time_zone = "Asia/Tokyo"
    make.session.commit()
    login(client, world.members[1])
    second = agreement_page(client, world).split('id="history-title"')[1]
    assert "JST" in second and "JST" not in first

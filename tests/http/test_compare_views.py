"""Diffs open as the agreement reads (rendered Markdown with the changes marked); the
word-by-word, side-by-side and source views stay one link or one form field away."""

from __future__ import annotations

from .conftest import HX, proposal_at

CHANGE = (
    '<del class="diff-del"><span class="visually-hidden">removed: </span>respect</del>'
    '<ins class="diff-ins"><span class="visually-hidden">added: </span>care</ins>'
)


def test_the_compare_page_opens_as_it_reads(client, login, world):
    """Headings are headings, not `## Care`, and the changed word is marked inside the text."""
    login(client, world.members[0])
    page = client.get(f"/c/{world.community.slug}/a/{world.agreement.slug}/compare").data.decode()
    assert 'class="diff-inline diff-rendered"' in page
    assert f"<p>We speak with {CHANGE}.</p>" in page
    assert "<h2>Care</h2>" in page and "## Care" not in page
    assert '<option value="rendered" selected>as it reads</option>' in page


def test_the_raw_word_view_is_still_offered(client, login, world):
    login(client, world.members[0])
    url = f"/c/{world.community.slug}/a/{world.agreement.slug}/compare?from=1&to=2&view=inline"
    page = client.get(url).data.decode()
    assert "diff-rendered" not in page and "## Care" in page


def test_the_proposal_diff_opens_as_it_reads_and_switches_with_or_without_htmx(
    client, login, world, make
):
    proposal = proposal_at(make, world, "consent")
    login(client, world.members[0])
    page = client.get(f"/p/{proposal.id}/diff", headers=HX).data.decode()
    assert page.lstrip().startswith('<section id="proposal-diff"')
    assert "diff-rendered" in page
    assert f'href="/p/{proposal.id}?view=rendered#proposal-diff" hx-get' in page
    assert 'aria-current="page">As it reads</a>' in " ".join(page.split())
    source = client.get(f"/p/{proposal.id}/diff?view=source", headers=HX).data.decode()
    assert "diff-rendered" not in source and "diff-mode-source" in source

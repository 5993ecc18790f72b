"""A person's feeds: the Atom feed of decisions and rounds, the iCalendar file of deadlines,
and the page actions that make and revoke their secret address.

The feed addresses work without a session cookie (feed readers and calendar apps have
none): the secret in the address names the person, and services/feeds.reader_of answers
404 for an unknown or revoked one, exactly like an address that never existed. The
calendar has one VEVENT per open round with a deadline; its UID stays the round's, and its
SEQUENCE counts the deadline's changes, so a calendar app replaces the event it holds. Both
carry the audit chain head of their moment (the calendar as X-ACCORD-CHAIN-HEAD), so a
saved copy is a record `audit verify --record` checks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import make_response, render_template, url_for
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..mail import absolute_url
from ..saying import say
from ..services import queries
from ..services.queries.feeds import Deadline
from ..storage.sessions import get_session
from ..wording import _
from .blueprint import bp
from .pages import community_page
from .responses import perform

ATOM_TYPE = "application/atom+xml; charset=utf-8"
CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_HEADERS = {"Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex"}


def _community_action(slug: str, use_case: Callable[..., object], success: str) -> Response:
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    return perform(
        lambda: use_case(session, actor, community_id=community.id),
        success=success,
        location=url_for("web.community", slug=slug) + "#feeds-title",
        show=lambda **extra: community_page(slug, **extra),
    )


@bp.post("/c/<slug>/feeds")
def create_feed(slug: str) -> Response:
    """Make (or make anew, ending the old one) this person's feed address for the community."""
    return _community_action(
        slug,
        services.create_feed,
        _(
            "Your feed addresses are ready. Anyone who has them can read this feed as you: "
            "keep them to yourself."
        ),
    )


@bp.post("/c/<slug>/feeds/revoke")
def revoke_feed(slug: str) -> Response:
    """End this person's feed address for the community."""
    return _community_action(slug, services.revoke_feed, _("Your feed addresses no longer work."))


def _read(secret: str) -> queries.Feed:
    session = get_session()
    person, community = services.reader_of(session, secret)
    return queries.read_feed(session, person, community)


@bp.get("/feeds/<secret>/decisions.atom")
def decisions_feed(secret: str) -> Response:
    """The Atom feed of decisions and rounds, with the audit chain head of its moment."""
    feed = _read(secret)
    body = render_template(
        "feeds/decisions.atom.xml",
        feed=feed,
        self_url=absolute_url("web.decisions_feed", secret=secret),
        community_url=absolute_url("web.community", slug=feed.community.slug),
        proposal_url=lambda pid: absolute_url("web.proposal", proposal_id=pid),
        history_url=absolute_url("history.community_history", slug=feed.community.slug),
    )
    response = make_response(body)
    response.headers.update({"Content-Type": ATOM_TYPE, **FEED_HEADERS})
    return response


@bp.get("/feeds/<secret>/deadlines.ics")
def deadlines_calendar(secret: str) -> Response:
    """The iCalendar file of the community's open deadlines."""
    feed = _read(secret)
    host = absolute_url("web.index").split("/")[2]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Accord//Deadlines//EN",
        "CALSCALE:GREGORIAN",
        _text("X-WR-CALNAME", say(_("%(name)s: deadlines", name=feed.community.name))),
        f"X-ACCORD-CHAIN-HEAD:{feed.head_seq} {feed.head_hash}",
    ]
    for deadline in feed.deadlines:
        lines += [
            "BEGIN:VEVENT",
            f"UID:round-{deadline.round_id}@{host}",
            f"SEQUENCE:{deadline.sequence}",
            f"DTSTAMP:{_moment(feed.generated_at)}",
            f"LAST-MODIFIED:{_moment(deadline.changed_at)}",
            f"DTSTART:{_moment(deadline.deadline)}",
            _text("SUMMARY", say(_deadline_summary(deadline))),
            "URL:" + absolute_url("web.proposal", proposal_id=deadline.proposal_id),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = make_response("".join(_folded(line) for line in lines))
    response.headers.update({"Content-Type": CALENDAR_TYPE, **FEED_HEADERS})
    return response


def _deadline_summary(deadline: Deadline) -> str:
    """The event's title in a calendar: which proposal, and which round ends."""
    if deadline.kind == "consent":
        return _("Deadline: %(title)s (consent round)", title=deadline.title)
    return _("Deadline: %(title)s (objection round)", title=deadline.title)


def _moment(moment: datetime) -> str:
    """A UTC date-time as iCalendar writes it (20261204T170000Z)."""
    return f"{moment:%Y%m%dT%H%M%SZ}"


def _text(name: str, value: str) -> str:
    """A text property, escaped as RFC 5545 says (backslash, semicolon, comma, newline)."""
    escaped = (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )
    return f"{name}:{escaped}"


def _folded(line: str) -> str:
    """One content line, folded at 75 octets (never inside a UTF-8 character), CRLF ended."""
    data, parts = line.encode("utf-8"), list[str]()
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: cut before it
            cut -= 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    parts.append(data.decode("utf-8"))
    return "\r\n ".join(parts) + "\r\n"

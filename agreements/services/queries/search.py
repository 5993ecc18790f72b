"""Search: the words a person looks for, in every text they may read.

One service over both databases (the index itself is agreements/storage/search_index.py):
SQLite matches with FTS5, PostgreSQL with a tsvector in the 'simple' configuration. What a
person types is never passed on as query syntax: it is cut into words (letters, digits
and the marks that belong to them), each word is quoted, and all of them must appear, so
`"`, `*`, `NEAR(`, `-` or `OR` are only characters to look past.

Results keep the rules of the pages: a private community's texts are found only by its
members (and instance administrators), a draft only by its proposer. A search may be kept
to one community, named by its slug and read through the same visibility rule as its
pages (so a private one is NotFound to outsiders). The search page and the API's
GET /api/v1/search both call `search`. The current text of
an agreement comes before its older versions; the best match comes first, and older
versions come newest first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlmodel import Session, col

from ...errors import InvalidInput
from ...models import Agreement, Comment, Community, Membership, Proposal, User, Version
from ...text.units import word_runs
from ...wording import Number, _
from .communities import community_by_slug

MAX_QUERY_CHARS = 200
MAX_WORDS = 16
PAGE_SIZE = 20
SNIPPET_WORDS = 24
# Marks around a matched word in a snippet: private-use characters no text is written in.
_START, _STOP = "\ue000", "\ue001"


@dataclass(frozen=True)
class SearchHit:
    """One text found: what it is, where it lives, and the passage that matched.

    `kind` is "version", "proposal" or "comment"; `snippet` is a list of (text, is_match)
    pieces, so a page marks the matched words without trusting any HTML.
    """

    kind: str
    title: str
    community_name: str
    community_slug: str
    agreement_slug: str
    moment: datetime
    snippet: list[tuple[str, bool]]
    version_number: int | None = None
    is_current: bool = False
    proposal_id: int | None = None
    comment_id: int | None = None


@dataclass(frozen=True)
class SearchResults:
    """A page of hits for a query; `words` is empty when the query held nothing to find."""

    query: str
    words: list[str]
    hits: list[SearchHit]
    page: int
    total: int = 0
    per_page: int = PAGE_SIZE

    @property
    def has_next(self) -> bool:
        """Whether more hits follow this page."""
        return self.page * self.per_page < self.total

    @property
    def first_number(self) -> int:
        """The position of this page's first hit among all hits (for a numbered list)."""
        return (self.page - 1) * self.per_page + 1


def search_words(query: str) -> list[str]:
    """The words of a query (see agreements.text.units.word_runs), in NFC form.

    Everything else (punctuation, quotes, operators) separates words, so no character a
    person types can change what the database is asked.
    """
    return word_runs(unicodedata.normalize("NFC", query))[:MAX_WORDS]


def search(
    session: Session,
    viewer: User | None,
    query: str,
    *,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    community_slug: str | None = None,
) -> SearchResults:
    """The texts `viewer` may read that contain every word of `query`, a page at a time,
    in every community or only in the one at `community_slug`.

    A query longer than MAX_QUERY_CHARS is refused (InvalidInput); one with no words
    finds nothing, without asking the database.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(
            _(
                "Search for at most %(limit)s characters; this search has %(length)s.",
                limit=Number(MAX_QUERY_CHARS),
                length=Number(len(query)),
            ),
            "q",
        )
    page, per_page = max(page, 1), max(per_page, 1)
    community = community_by_slug(session, viewer, community_slug) if community_slug else None
    words = search_words(query)
    if not words:
        return SearchResults(query, [], [], page, per_page=per_page)
    dialect = session.get_bind().dialect.name
    matches = _matches(dialect, words)
    visible = _visible(matches, viewer, community).subquery("visible")
    total = session.execute(select(func.count()).select_from(visible)).scalar_one()
    rows = session.execute(
        select(visible)
        .order_by(
            visible.c.is_old,
            case((visible.c.is_old, 0.0), else_=visible.c.score).desc(),
            visible.c.moment.desc(),
            visible.c.ref_id.desc(),
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    snippets = _snippets(session, dialect, words, [(row.kind, row.ref_id) for row in rows])
    hits = [_hit(session, row, snippets.get((row.kind, row.ref_id), "")) for row in rows]
    return SearchResults(query, words, hits, page, total, per_page)


def _match_expression(dialect: str, words: list[str]) -> str:
    """The words as the database's query: FTS5 phrases, or a plain tsquery text."""
    if dialect == "postgresql":
        return " ".join(words)
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _matches(dialect: str, words: list[str]) -> Any:
    """Every indexed text matching all the words, with a score (higher is better)."""
    if dialect == "postgresql":
        sql = (
            "SELECT kind, ref_id, ts_rank(document, query) AS score "
            "FROM search_index, plainto_tsquery('simple', :q) AS query "
            "WHERE document @@ query"
        )
    else:
        # bm25 weighs columns in order (kind, ref_id, title, body); lower is better.
        sql = (
            "SELECT kind, ref_id, -bm25(search_index, 0, 0, 4.0, 1.0) AS score "
            "FROM search_index WHERE search_index MATCH :q"
        )
    return (
        text(sql)
        .bindparams(q=_match_expression(dialect, words))
        .columns(kind=String, ref_id=Integer, score=Float)
        .subquery("matches")
    )


def _visible(matches: Any, viewer: User | None, community: Community | None) -> Any:
    """The matches the viewer may read (in `community`, if given), each with its moment and
    whether it is an old version."""
    viewer_id = viewer.id if viewer is not None else None
    if viewer is not None and viewer.is_admin:
        readable: ColumnElement[bool] = true()
    else:
        member_of = select(col(Membership.community_id)).where(Membership.user_id == viewer_id)
        readable = or_(col(Community.is_private).is_(False), col(Community.id).in_(member_of))
    if community is not None:
        readable = and_(readable, col(Community.id) == community.id)
    not_a_draft = or_(col(Proposal.state) != "draft", col(Proposal.proposer_id) == viewer_id)
    newer_table = Version.__table__.alias("newer")  # type: ignore[attr-defined]
    is_old = (
        select(literal(1))
        .where(
            newer_table.c.agreement_id == Version.agreement_id,
            newer_table.c.number > Version.number,
        )
        .exists()
    )

    def hits(is_old_version: Any, moment: Any) -> Any:
        return select(
            matches.c.kind,
            matches.c.ref_id,
            matches.c.score,
            is_old_version.label("is_old"),
            col(moment).label("moment"),
        )

    versions = (
        hits(is_old, Version.adopted_at)
        .join(Version, and_(matches.c.kind == "version", Version.id == matches.c.ref_id))
        .join(Agreement, Agreement.id == Version.agreement_id)
        .join(Community, Community.id == Agreement.community_id)
        .where(readable)
    )
    proposals = (
        hits(literal(False), Proposal.created_at)
        .join(Proposal, and_(matches.c.kind == "proposal", Proposal.id == matches.c.ref_id))
        .join(Agreement, Agreement.id == Proposal.agreement_id)
        .join(Community, Community.id == Agreement.community_id)
        .where(readable, not_a_draft)
    )
    comments = (
        hits(literal(False), Comment.created_at)
        .join(Comment, and_(matches.c.kind == "comment", Comment.id == matches.c.ref_id))
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .join(Agreement, Agreement.id == Proposal.agreement_id)
        .join(Community, Community.id == Agreement.community_id)
        .where(readable, not_a_draft)
    )
    return versions.union_all(proposals, comments)


def _snippets(
    session: Session, dialect: str, words: list[str], keys: list[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """The best passage of each shown text, matched words between _START and _STOP.

    Computed only for the page's hits: a snippet reads the whole text, which for an
    agreement may be 300,000 characters.
    """
    if not keys:
        return {}
    if dialect == "postgresql":
        options = (
            f"StartSel={_START}, StopSel={_STOP}, MaxFragments=1, "
            f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
        )
        sql = (
            "SELECT kind, ref_id, ts_headline('simple', "
            "concat_ws(E'\\n', NULLIF(title, ''), body), query, :options) AS snippet "
            "FROM search_index, plainto_tsquery('simple', :q) AS query "
            "WHERE kind = :kind AND ref_id IN :ids"
        )
        params: dict[str, Any] = {"options": options}
    else:
        sql = (
            "SELECT kind, ref_id, snippet(search_index, -1, :start, :stop, '…', :words) "
            "AS snippet FROM search_index "
            "WHERE search_index MATCH :q AND kind = :kind AND ref_id IN :ids"
        )
        params = {"start": _START, "stop": _STOP, "words": SNIPPET_WORDS}
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    found: dict[tuple[str, int], str] = {}
    for kind in {key[0] for key in keys}:
        ids = [ref_id for key_kind, ref_id in keys if key_kind == kind]
        rows = session.execute(
            statement,
            {**params, "q": _match_expression(dialect, words), "kind": kind, "ids": ids},
        )
        found.update({(row.kind, row.ref_id): row.snippet for row in rows})
    return found


# Markdown a reader should not see in a one-line passage: heading marks, bold, code ticks.
_MARKDOWN_MARKS = re.compile(r"(?:^|(?<= ))#{1,6} |\*\*|__|`+")


def snippet_pieces(snippet: str) -> list[tuple[str, bool]]:
    """A marked snippet as (text, is_match) pieces, whitespace folded and Markdown marks
    dropped, so it reads as one line of plain text."""
    spaced = re.sub(r"\s+", " ", snippet)
    folded = re.sub(r" +", " ", _MARKDOWN_MARKS.sub(" ", spaced)).strip()
    pieces: list[tuple[str, bool]] = []
    for index, part in enumerate(re.split(f"[{_START}{_STOP}]", folded)):
        if part:
            pieces.append((part, index % 2 == 1))
    return pieces


def _hit(session: Session, row: Any, snippet: str) -> SearchHit:
    """What a page shows of one match: its title, place and link parts."""
    comment = session.get(Comment, row.ref_id) if row.kind == "comment" else None
    version = session.get(Version, row.ref_id) if row.kind == "version" else None
    proposal = None
    if comment is not None:
        proposal = session.get(Proposal, comment.proposal_id)
    elif row.kind == "proposal":
        proposal = session.get(Proposal, row.ref_id)
    owner = version or proposal
    assert owner is not None
    agreement = session.get(Agreement, owner.agreement_id)
    assert agreement is not None
    community = session.get(Community, agreement.community_id)
    assert community is not None
    return SearchHit(
        kind=row.kind,
        title=proposal.title if proposal is not None else agreement.title,
        community_name=community.name,
        community_slug=community.slug,
        agreement_slug=agreement.slug,
        moment=row.moment,
        snippet=snippet_pieces(snippet),
        version_number=version.number if version is not None else None,
        is_current=version is not None and not row.is_old,
        proposal_id=proposal.id if proposal is not None else None,
        comment_id=comment.id if comment is not None else None,
    )

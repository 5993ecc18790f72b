"""Read-side queries: what pages and API routes show, with the same visibility rules as writes.

Nothing here writes. Every function that takes an actor checks that the actor may see what
it returns (private communities answer NotFound to outsiders), so a page or an API route
cannot show more than the services would let the person act on.

The queries are split by what they read: communities (and what is waiting in one),
agreements (versions, proposals, provenance), proposals (the proposal page), people
(names, members, organisations) and decision_records (a record rebuilt from the audit
trail). They are re-exported here, so callers keep writing `queries.community_by_slug(...)`
without knowing which module holds it.
"""

from __future__ import annotations

from .agreements import (
    Provenance,
    agreement_at,
    agreement_by_slug,
    agreements_of,
    latest_version,
    proposals_by_id,
    proposals_of,
    proposals_query,
    provenance,
    recent_versions,
    translations_of_version,
    version_by_number,
    version_count,
    versions_of,
    versions_query,
)
from .communities import (
    Abilities,
    NeedsMe,
    abilities,
    audit_events,
    community_by_slug,
    community_language,
    facilitated_community,
    needs_me,
    recent_decisions,
    visible_communities,
)
from .decision_records import build_record
from .feeds import Feed, read_feed
from .instance import InstanceHealth, instance_health
from .people import (
    MemberRow,
    member_rows,
    members_of,
    members_query,
    organisations_of,
    people,
)
from .proposals import (
    THREADS_SENT,
    CommentNode,
    ObjectionView,
    ProposalDetail,
    comment_threads,
    proposal_detail,
)

__all__ = [
    "THREADS_SENT",
    "Abilities",
    "CommentNode",
    "Feed",
    "InstanceHealth",
    "MemberRow",
    "NeedsMe",
    "ObjectionView",
    "ProposalDetail",
    "Provenance",
    "abilities",
    "agreement_at",
    "agreement_by_slug",
    "agreements_of",
    "audit_events",
    "build_record",
    "comment_threads",
    "community_by_slug",
    "community_language",
    "facilitated_community",
    "instance_health",
    "latest_version",
    "member_rows",
    "members_of",
    "members_query",
    "needs_me",
    "organisations_of",
    "people",
    "proposal_detail",
    "proposals_by_id",
    "proposals_of",
    "proposals_query",
    "provenance",
    "read_feed",
    "recent_decisions",
    "recent_versions",
    "translations_of_version",
    "version_by_number",
    "version_count",
    "versions_of",
    "versions_query",
    "visible_communities",
]

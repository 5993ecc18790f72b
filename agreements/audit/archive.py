"""Export one community as a JSON archive, and import it into an empty database.

The audit trail is one chain for the whole instance, so a community's own events are
interleaved with other communities' events. An archive must let the chain verify to the same
head hash, yet a private community's archive must not carry other communities' discussions,
nor the instance's account events (email addresses). So the archive holds the community's
own events verbatim and, for every other event, only a sealed stand-in: its sequence number,
its hash and the previous hash. Verification recomputes the hash of every own event and
checks that sealed stand-ins still link the chain; it reports how many it could only link.

Rows keep their ids, so events still point at the right rows. Secrets never leave: no
password hashes, invitations or API tokens; people set a new password after an import.
Importing is an operator's restore, not a use case. The restored events must reach the
archive's head (its seq and hash); then the import appends one ordinary, hashed event of its
own listing the seqs it sealed with their original hashes. Verification accepts a sealed
stand-in only where such an event vouches for it, so nobody can later hide an edited event
by marking it sealed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col, select

from ..errors import InvalidInput, NotFound, Refused
from ..models import (
    Agreement,
    AuditEvent,
    Comment,
    Community,
    Concern,
    Membership,
    Objection,
    Organisation,
    Proposal,
    Revision,
    Round,
    RoundParticipant,
    Stance,
    Translation,
    User,
    Version,
    utcnow,
)
from . import chain
from .canonical import canonical_json

ARCHIVE_FORMAT = "accord-archive/1"
USER_COLUMNS = ("id", "email", "display_name", "is_admin", "is_active", "created_at")
SEALED_FIELDS = ("seq", "prev_hash", "hash")
# Tables in an order that satisfies their foreign keys (versions bring their proposals).
ROW_TABLES: tuple[type[SQLModel], ...] = (
    User, Community, Organisation, Membership, Agreement, Version, Proposal,
    Revision, Round, RoundParticipant, Stance, Objection, Comment, Concern, Translation,
)  # fmt: skip


def table(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table of a model."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def _as_dict(row: SQLModel) -> dict[str, Any]:
    return {column.name: getattr(row, column.name) for column in table(type(row)).columns}


def _community_rows(session: Session, community: Community) -> dict[type[SQLModel], list[Any]]:
    def where(model: type[SQLModel], column: str, ids: list[int | None]) -> list[Any]:
        query = select(model).where(col(getattr(model, column)).in_(ids))
        return list(session.exec(query.order_by(col(model.id))))  # type: ignore[attr-defined]

    def ids(rows: list[Any]) -> list[int | None]:
        return [row.id for row in rows]

    rows: dict[type[SQLModel], list[Any]] = {Community: [community]}
    model: type[SQLModel]
    for model in (Organisation, Membership, Agreement):
        rows[model] = where(model, "community_id", [community.id])
    for model in (Version, Proposal, Translation):
        rows[model] = where(model, "agreement_id", ids(rows[Agreement]))
    for model in (Revision, Round, Objection, Comment, Concern):
        rows[model] = where(model, "proposal_id", ids(rows[Proposal]))
    for model in (RoundParticipant, Stance):
        rows[model] = where(model, "round_id", ids(rows[Round]))
    return rows


def _referenced_users(rows: dict[type[SQLModel], list[Any]], events: list[AuditEvent]) -> set[int]:
    """Every user id a row or an own event points at (members, authors, actors)."""
    found = {event.actor_id for event in events}
    for model, model_rows in rows.items():
        for column in table(model).columns:
            if any(fk.column.table.name == "user" for fk in column.foreign_keys):
                found.update(getattr(row, column.name) for row in model_rows)
    return {user_id for user_id in found if user_id is not None}


def export_community(session: Session, slug: str) -> dict[str, Any]:
    """The community's rows and the whole chain (foreign events sealed), as JSON-ready data."""
    community = session.exec(select(Community).where(Community.slug == slug)).first()
    if community is None:
        raise NotFound(f"There is no community '{slug}'.")
    rows = _community_rows(session, community)
    own: list[AuditEvent] = []
    events: list[dict[str, Any]] = []
    for event in chain.iter_events(session):
        if event.community_id == community.id:
            own.append(event)
            events.append(_as_dict(event))
        else:
            events.append({name: getattr(event, name) for name in SEALED_FIELDS})
    user_ids = sorted(_referenced_users(rows, own))
    users = session.exec(select(User).where(col(User.id).in_(user_ids)).order_by(col(User.id)))
    tables = {table(User).name: [{c: getattr(u, c) for c in USER_COLUMNS} for u in users]}
    tables |= {table(model).name: [_as_dict(row) for row in found] for model, found in rows.items()}
    return {
        "format": ARCHIVE_FORMAT,
        "community": community.slug,
        "exported_at": utcnow(),
        "head_seq": events[-1]["seq"] if events else 0,
        "head_hash": events[-1]["hash"] if events else chain.GENESIS_HASH,
        "tables": tables,
        "events": events,
    }


def dump_archive(archive: dict[str, Any]) -> str:
    """The archive as canonical JSON text (the same data always gives the same bytes)."""
    return canonical_json(archive)


def typed(model: type[SQLModel], row: dict[str, Any]) -> dict[str, Any]:
    """A JSON row as column values: timestamps parsed, columns it lacks at their defaults."""
    return _as_dict(model.model_validate(row))


def _sealed_event(stub: dict[str, Any], exported_at: datetime) -> dict[str, Any]:
    return {
        **{name: stub[name] for name in SEALED_FIELDS},
        "occurred_at": exported_at,
        "actor_name": "sealed",
        "action": chain.SEALED_ACTION,
        "subject_type": "sealed",
        "payload": "{}",
    }


def is_empty(session: Session) -> bool:
    """Whether the database holds no people, communities or events yet (a new instance)."""
    return not any(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (User, Community, AuditEvent)
    )


def _require_empty(session: Session) -> None:
    if not is_empty(session):
        raise Refused("The database is not empty: import an archive into a new database.")


def import_archive(session: Session, archive: dict[str, Any]) -> chain.Verification:
    """Restore an archive into an empty database; refuse unless it verifies to its head."""
    if not isinstance(archive, dict) or archive.get("format") != ARCHIVE_FORMAT:
        raise InvalidInput(f"This is not an Accord archive ({ARCHIVE_FORMAT}).")
    _require_empty(session)
    try:
        _insert_rows(session.connection(), archive["tables"])
        _insert_events(session.connection(), archive["events"], archive["exported_at"])
        _reset_sequences(session)
        archived_head = chain.Anchor(int(archive["head_seq"]), archive["head_hash"], "the archive")
    except (KeyError, TypeError, ValueError, DBAPIError) as error:
        session.rollback()
        raise InvalidInput(f"The archive is damaged, nothing was imported ({error}).") from error
    _record_import(session, archive["events"])
    result = chain.verify_chain(session, anchors=[archived_head])
    if not result.ok or result.count != archived_head.seq + 1:
        session.rollback()
        why = (
            result.message if not result.ok else f"it has events past its head {archived_head.seq}"
        )
        raise InvalidInput(f"The archive does not verify, nothing was imported: {why}")
    session.commit()
    return result


def _record_import(session: Session, events: list[dict[str, Any]]) -> None:
    """Append the import's own event: the range it restored and every seal's original hash."""
    sealed = {event["seq"]: event["hash"] for event in events if "action" not in event}
    last_seq = events[-1]["seq"] if events else 0
    payload = chain.import_payload(events[0]["seq"] if events else 1, last_seq, sealed)
    chain.record(session, None, chain.IMPORT_ACTION, chain.Subject("archive", None), payload)


def _insert_rows(connection: Connection, tables: dict[str, list[dict[str, Any]]]) -> None:
    for model in ROW_TABLES:
        rows = [typed(model, row) for row in tables.get(table(model).name, [])]
        if model is Version:
            proposals = [typed(Proposal, row) for row in tables.get(table(Proposal).name, [])]
            _insert_history(connection, rows, proposals)
        elif rows and model is not Proposal:
            connection.execute(table(model).insert(), rows)


def _insert_events(connection: Connection, stored: list[dict[str, Any]], exported: str) -> None:
    """The events verbatim, and a sealed stand-in for each event of another community."""
    exported_at = datetime.fromisoformat(exported)
    events = [
        typed(AuditEvent, event if "action" in event else _sealed_event(event, exported_at))
        for event in stored
    ]
    for event in events:
        del event["id"]  # nothing points at an event's row id; the chain is its seq and hashes
        event["mac"] = None  # the old instance's key is not this one's; the import event's
        # mac (keyed.py) vouches for everything restored before it
    if events:
        connection.execute(table(AuditEvent).insert(), events)


def _insert_history(
    connection: Connection, versions: list[dict[str, Any]], proposals: list[dict[str, Any]]
) -> None:
    """Versions point at the proposal that adopted them, proposals at their base version and
    back at the version they adopted: insert each proposal just before the version it made,
    then link the adopted versions once both exist (proposals, unlike versions, may change).
    """
    versions_table, proposals_table = table(Version), table(Proposal)
    waiting = {row["id"]: {**row, "adopted_version_id": None} for row in proposals}
    for version in sorted(versions, key=lambda row: (row["agreement_id"], row["number"])):
        if version["proposal_id"] in waiting:
            connection.execute(proposals_table.insert(), waiting.pop(version["proposal_id"]))
        connection.execute(versions_table.insert(), version)
    if waiting:
        connection.execute(proposals_table.insert(), list(waiting.values()))
    for row in proposals:
        if row["adopted_version_id"] is not None:
            connection.execute(
                proposals_table.update().where(proposals_table.c.id == row["id"]),
                {"adopted_version_id": row["adopted_version_id"]},
            )


def _reset_sequences(session: Session) -> None:
    """On PostgreSQL, move each id sequence past the imported ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (*ROW_TABLES, AuditEvent):
        name = table(model).name
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'
            )
        )

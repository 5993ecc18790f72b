"""Importing a community archive into an instance that already has other communities.

An empty database gets the archive restored as it was (archive.import_archive: same ids,
same seqs, same head hash). An instance with data of its own cannot keep the archive's ids
or seqs, which its own rows and events already use, so the archive is merged in:

1. The archive is verified on its own first: every own event's hash is recomputed, every
   link checked, and the chain must end at the head the archive names. Nothing is written
   unless it does, so a tampered archive is refused.
2. Rows get new ids; every foreign key and every id an event names (its subject, the people
   in its payload) is translated. A person whose email already has an account here is the
   same person: their membership joins that account, whose name and password stay. Other
   people get new accounts without a password (they set one through "Forgot your
   password"), and never the instance's admin role. A community whose address (slug) is
   taken here is refused with a message naming it, unless a new address is given.
3. The community's events are appended to this instance's chain, in their order, with their
   original time, actor name, action and payload: ordinary hashed events of this chain,
   written as history (chain.append_history), so nobody is notified of them as news.
   One `audit.imported` event follows them. Its payload names the archive (community, head
   seq and hash, export time) and lists, for each appended event, its new seq, its seq in
   the archive and its original hash, so anyone holding the archive file (or a record of
   the old instance) can match the two. No sealed stand-ins are brought: the other
   communities of the old instance stay behind, and this chain keeps verifying in full.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Table, func
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

from ..errors import InvalidInput, Refused
from ..models import AuditEvent, Community, Proposal, User, Version
from . import archive, chain
from .canonical import canonical_json

# Ids an event's payload may name, and the table each points into.
PAYLOAD_IDS = {
    "user_id": "user",
    "facilitator_id": "user",
    "settled_by_id": "user",
    "objection_id": "objection",
    "parent_id": "comment",
    "comment_id": "comment",
    "round_id": "round",
    "revision_id": "revision",
    "version_id": "version",
}
EVENT_IDS = {
    "actor_id": "user",
    "community_id": "community",
    "agreement_id": "agreement",
    "proposal_id": "proposal",
}
IdMaps = dict[str, dict[int, int]]


def import_community(
    session: Session, data: dict[str, Any], *, slug: str | None = None
) -> chain.Verification:
    """Restore the archive into an empty database, or merge it into this instance.

    `slug` gives the community a new address here (needed when its own is taken).
    Refuses, with nothing written, an archive that does not verify.
    """
    if not isinstance(data, dict) or data.get("format") != archive.ARCHIVE_FORMAT:
        raise InvalidInput(f"This is not an Accord archive ({archive.ARCHIVE_FORMAT}).")
    if archive.is_empty(session) and slug is None:
        return archive.import_archive(session, data)
    try:
        return _merge(session, data, slug)
    except (KeyError, TypeError, ValueError, DBAPIError) as error:
        session.rollback()
        raise InvalidInput(f"The archive is damaged, nothing was imported ({error}).") from error


def _merge(session: Session, data: dict[str, Any], slug: str | None) -> chain.Verification:
    events = data["events"]
    _verify_archive(events, int(data["head_seq"]), data["head_hash"])
    tables = data["tables"]
    community = tables["community"][0]
    community["slug"] = slug or community["slug"]
    taken = session.exec(select(Community.id).where(Community.slug == community["slug"])).first()
    if taken is not None:
        raise Refused(
            f"A community at the address '{community['slug']}' already exists here. "
            "Import the archive under another address (--slug NEW-ADDRESS)."
        )
    maps = _insert_rows(session.connection(), tables)
    own = [event for event in events if "action" in event]
    seqs = chain.append_history(session, [_translated_event(event, maps) for event in own])
    newest = chain.head(session)
    last_seq = newest.seq if newest else 0
    payload = chain.import_payload(last_seq - len(seqs) + 1, last_seq, {})
    payload["archive"] = {
        "community": community["slug"],
        "head_seq": data["head_seq"],
        "head_hash": data["head_hash"],
        "exported_at": data["exported_at"],
    }
    payload["events"] = [
        [seq, event["seq"], event["hash"]] for seq, event in zip(seqs, own, strict=True)
    ]
    subject = chain.Subject("archive", None, community_id=maps["community"][community["id"]])
    chain.record(session, None, chain.IMPORT_ACTION, subject, payload)
    result = chain.verify_chain(session)
    if not result.ok:  # the chain here was broken before the import: do not add to it
        session.rollback()
        raise Refused(f"This instance's audit chain does not verify: {result.message}")
    session.commit()
    return result


def _verify_archive(events: list[dict[str, Any]], head_seq: int, head_hash: str) -> None:
    """The archive's chain, checked as it stands: hashes of own events, every link, head."""
    previous = chain.GENESIS_HASH
    for position, event in enumerate(events, start=1):
        seq = event["seq"]
        if seq != position or event["prev_hash"] != previous:
            raise InvalidInput(f"The archive does not verify: event {seq} is out of place.")
        if (
            "action" in event
            and chain.compute_hash(archive.typed(AuditEvent, event)) != event["hash"]
        ):
            raise InvalidInput(f"The archive does not verify: event {seq} was altered.")
        previous = event["hash"]
    if (len(events), previous) != (head_seq, head_hash):
        raise InvalidInput("The archive does not verify: its events do not end at its head.")


def _insert_rows(connection: Connection, tables: dict[str, list[dict[str, Any]]]) -> IdMaps:
    """Insert every row under a new id, translating foreign keys; the old-to-new id maps."""
    maps: IdMaps = {"user": _users(connection, tables.get("user", []))}
    for model in archive.ROW_TABLES:
        if model is Version:
            _insert_history(connection, tables, maps)
        elif model not in (User, Proposal):
            for row in tables.get(archive.table(model).name, []):
                _insert(connection, model, archive.typed(model, row), maps)
    return maps


def _insert_history(connection: Connection, tables: dict[str, Any], maps: IdMaps) -> None:
    """Versions and proposals point at each other (see archive._insert_history): each
    proposal goes in just before the version it adopted, and is linked to it afterwards."""
    waiting = {row["id"]: archive.typed(Proposal, row) for row in tables.get("proposal", [])}
    adopted = [row for row in waiting.values() if row["adopted_version_id"] is not None]
    versions = [archive.typed(Version, row) for row in tables.get("version", [])]
    for version in sorted(versions, key=lambda row: (row["agreement_id"], row["number"])):
        if version["proposal_id"] in waiting:
            proposal = waiting.pop(version["proposal_id"])
            _insert(connection, Proposal, {**proposal, "adopted_version_id": None}, maps)
        _insert(connection, Version, version, maps)
    for proposal in waiting.values():
        _insert(connection, Proposal, {**proposal, "adopted_version_id": None}, maps)
    proposals = archive.table(Proposal)
    for proposal in adopted:
        connection.execute(
            proposals.update().where(proposals.c.id == maps["proposal"][proposal["id"]]),
            {"adopted_version_id": maps["version"][proposal["adopted_version_id"]]},
        )


def _insert(
    connection: Connection, model: type[SQLModel], row: dict[str, Any], maps: IdMaps
) -> None:
    """Insert `row` under a new id, its foreign keys translated, and map its old id."""
    table = archive.table(model)
    values = {name: value for name, value in row.items() if name != "id"}
    for column in table.columns:
        for key in column.foreign_keys:
            if values.get(column.name) is not None:
                values[column.name] = maps[key.column.table.name][values[column.name]]
    maps.setdefault(table.name, {})[row["id"]] = _inserted(connection, table, values)


def _inserted(connection: Connection, table: Table, values: dict[str, Any]) -> int:
    """Insert one row and return the id the database gave it."""
    key = connection.execute(table.insert().values(values)).inserted_primary_key
    if key is None:
        raise ValueError(f"no id for a new {table.name} row")
    return int(key[0])


def _users(connection: Connection, users: list[dict[str, Any]]) -> dict[int, int]:
    """Each archived person's id here: the account with the same email, or a new one."""
    table = archive.table(User)
    ids: dict[int, int] = {}
    for row in users:
        email = row["email"].strip().lower()
        found = connection.execute(
            select(table.c.id).where(func.lower(table.c.email) == email)
        ).first()
        if found is not None:
            ids[row["id"]] = found[0]
        else:
            values = archive.typed(User, {**row, "is_admin": False})
            del values["id"]
            ids[row["id"]] = _inserted(connection, table, values)
    return ids


def _translated_event(event: dict[str, Any], maps: IdMaps) -> dict[str, Any]:
    """An archived event's content (every hashed column but seq and prev_hash) with the ids
    it names translated to this instance's."""
    typed = archive.typed(AuditEvent, event)
    content = {
        name: typed[name] for name in chain.HASHED_COLUMNS if name not in ("seq", "prev_hash")
    }
    for name, table in EVENT_IDS.items():
        content[name] = _translated(maps, table, content[name])
    subject_map = maps.get(content["subject_type"])
    content["subject_id"] = (
        subject_map.get(content["subject_id"]) if subject_map is not None else None
    )
    payload = json.loads(content["payload"])
    if isinstance(payload, dict):
        for name, table in PAYLOAD_IDS.items():
            if isinstance(payload.get(name), int):
                payload[name] = _translated(maps, table, payload[name])
    content["payload"] = canonical_json(payload)
    return content


def _translated(maps: IdMaps, table: str, old: int | None) -> int | None:
    """The id here of row `old` of `table` (None when the archive does not carry that row)."""
    return None if old is None else maps.get(table, {}).get(old)

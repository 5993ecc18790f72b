"""The full-text search index, kept by the database itself.

One row per searchable text: every adopted version, every proposal (title, rationale and
outcome statement) and every comment. Triggers on those tables write the row in the same
transaction as the text, so an import, a restore or a script that bypasses the services
is indexed too, and the index can never say something the tables do not.

- SQLite: an FTS5 table (unicode61 tokenizer, accents folded), whose rowid is derived from
  the source row (`ref_id * 4 + kind code`) so a trigger finds its row without a scan.
- PostgreSQL: a plain table with a generated tsvector in the 'simple' configuration (no
  stemming, so every language is treated alike) and a GIN index.

The index tables are not models: `include_name` tells schema comparisons to skip them.
The DDL is run by migration 0003; a later migration that rebuilds `proposal` or `comment`
on SQLite (batch mode copies and drops the table) drops their triggers and must run
`create_statements` for them again.
"""

from __future__ import annotations

INDEX_TABLE = "search_index"
KINDS = ("version", "proposal", "comment")

# Where each kind's text comes from: (code in the SQLite rowid, source table, title, body).
_SOURCES = {
    "version": (1, "version", "''", "{row}.text"),
    "proposal": (
        2,
        "proposal",
        "{row}.title",
        "{row}.rationale || char(10) || {row}.outcome_statement",
    ),
    "comment": (3, "comment", "''", "{row}.body"),
}
# Only these columns change what is indexed; other updates (a proposal's state) skip it.
_INDEXED_COLUMNS = {"proposal": "title, rationale, outcome_statement", "comment": "body"}


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic's filter for schema comparisons: skip the index tables, which no model
    declares (SQLite adds FTS5 shadow tables named after the index)."""
    is_index = name is not None and (name == INDEX_TABLE or name.startswith(f"{INDEX_TABLE}_"))
    return not (type_ == "table" and is_index)


def _expressions(kind: str, row: str, dialect: str) -> tuple[str, str]:
    _code, _table, title, body = _SOURCES[kind]
    if dialect == "postgresql":
        body = body.replace("char(10)", "E'\\n'")
    return title.format(row=row), body.format(row=row)


def _sqlite_statements() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE {INDEX_TABLE} USING fts5("
        "kind UNINDEXED, ref_id UNINDEXED, title, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    ]
    for kind, (code, table, _title, _body) in _SOURCES.items():
        new_title, new_body = _expressions(kind, "NEW", "sqlite")
        old_title, old_body = _expressions(kind, "src", "sqlite")
        statements.append(
            f"INSERT INTO {INDEX_TABLE} (rowid, kind, ref_id, title, body) "
            f"SELECT src.id * 4 + {code}, '{kind}', src.id, {old_title}, {old_body} "
            f'FROM "{table}" AS src'
        )
        statements.append(
            f'CREATE TRIGGER {table}_search_insert AFTER INSERT ON "{table}" BEGIN '
            f"INSERT INTO {INDEX_TABLE} (rowid, kind, ref_id, title, body) "
            f"VALUES (NEW.id * 4 + {code}, '{kind}', NEW.id, {new_title}, {new_body}); END"
        )
        if table in _INDEXED_COLUMNS:
            statements.append(
                f"CREATE TRIGGER {table}_search_update AFTER UPDATE OF "
                f'{_INDEXED_COLUMNS[table]} ON "{table}" BEGIN '
                f"UPDATE {INDEX_TABLE} SET title = {new_title}, body = {new_body} "
                f"WHERE rowid = NEW.id * 4 + {code}; END"
            )
            statements.append(
                f'CREATE TRIGGER {table}_search_delete AFTER DELETE ON "{table}" BEGIN '
                f"DELETE FROM {INDEX_TABLE} WHERE rowid = OLD.id * 4 + {code}; END"
            )
    return statements


# A tsvector holds at most 1 MB of distinct words. An agreement may have 300,000
# characters of up to 4 bytes each, so when a text is over that limit its first
# _POSTGRESQL_FALLBACK_CHARS characters (at most 800,000 bytes) are indexed instead of
# refusing the write.
_POSTGRESQL_FALLBACK_CHARS = 200_000
_UPSERT = (
    f"INSERT INTO {INDEX_TABLE} (kind, ref_id, title, body) VALUES (p_kind, p_ref_id, p_title, "
    "{body}) ON CONFLICT (kind, ref_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body;"
)
_POSTGRESQL_PUT = (
    "CREATE FUNCTION accord_search_put(p_kind TEXT, p_ref_id INTEGER, p_title TEXT, p_body TEXT) "
    "RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
    + _UPSERT.format(body="p_body")
    + " EXCEPTION WHEN program_limit_exceeded THEN "
    + _UPSERT.format(body=f"left(p_body, {_POSTGRESQL_FALLBACK_CHARS})")
    + " END $$"
)


def _postgresql_statements() -> list[str]:
    statements = [
        f"CREATE TABLE {INDEX_TABLE} ("
        "kind VARCHAR(16) NOT NULL, ref_id INTEGER NOT NULL, "
        "title TEXT NOT NULL, body TEXT NOT NULL, "
        "document TSVECTOR GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', title), 'A') || "
        "setweight(to_tsvector('simple', body), 'B')) STORED, "
        "PRIMARY KEY (kind, ref_id))",
        f"CREATE INDEX ix_{INDEX_TABLE}_document ON {INDEX_TABLE} USING GIN (document)",
        _POSTGRESQL_PUT,
    ]
    for kind, (_code, table, _title, _body) in _SOURCES.items():
        new_title, new_body = _expressions(kind, "NEW", "postgresql")
        old_title, old_body = _expressions(kind, "src", "postgresql")
        statements.append(
            f"SELECT accord_search_put('{kind}', src.id, {old_title}, {old_body}) "
            f'FROM "{table}" AS src'
        )
        statements.append(
            f"CREATE FUNCTION accord_search_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP = 'DELETE' THEN "
            f"DELETE FROM {INDEX_TABLE} WHERE kind = '{kind}' AND ref_id = OLD.id; "
            "RETURN NULL; END IF; "
            f"PERFORM accord_search_put('{kind}', NEW.id, {new_title}, {new_body}); "
            "RETURN NULL; END $$"
        )
        events = "INSERT"
        if table in _INDEXED_COLUMNS:
            events = f"INSERT OR UPDATE OF {_INDEXED_COLUMNS[table]} OR DELETE"
        statements.append(
            f'CREATE TRIGGER {table}_search AFTER {events} ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION accord_search_{table}()"
        )
    return statements


def create_statements(dialect: str) -> list[str]:
    """DDL that creates the index, fills it from the existing rows and keeps it current."""
    return _postgresql_statements() if dialect == "postgresql" else _sqlite_statements()


def drop_statements(dialect: str) -> list[str]:
    """DDL that removes the index and its triggers (the downgrade of migration 0003)."""
    if dialect == "postgresql":
        return [
            *(f'DROP TRIGGER IF EXISTS {t}_search ON "{t}"' for _c, t, *_ in _SOURCES.values()),
            *(f"DROP FUNCTION IF EXISTS accord_search_{t}()" for _c, t, *_ in _SOURCES.values()),
            "DROP FUNCTION IF EXISTS accord_search_put(TEXT, INTEGER, TEXT, TEXT)",
            f"DROP TABLE IF EXISTS {INDEX_TABLE}",
        ]
    return [
        *(
            f"DROP TRIGGER IF EXISTS {table}_search_{event}"
            for _code, table, *_ in _SOURCES.values()
            for event in ("insert", "update", "delete")
        ),
        f"DROP TABLE IF EXISTS {INDEX_TABLE}",
    ]

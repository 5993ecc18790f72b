"""Database-level guards that the ORM cannot express: append-only and immutable tables.

The same statements are run by the initial Alembic migration and by `install_guards`, so a
database made either way refuses to rewrite history. An attacker with direct file access
can still drop them; the audit hash chain is what detects that.
"""

from __future__ import annotations

from sqlalchemy import Connection

GUARDED_TABLES = {
    "audit_event": "audit events are append-only",
    "version": "adopted versions are immutable",
}

SQLITE_GUARDS = [
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    for table, message in GUARDED_TABLES.items()
    for verb in ("update", "delete")
]

POSTGRESQL_GUARDS = [
    """
    CREATE OR REPLACE FUNCTION accord_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END
    $$
    """,
    *(
        f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION accord_refuse_change('{message}')"
        for table, message in GUARDED_TABLES.items()
    ),
]


def guard_statements(dialect: str) -> list[str]:
    """The trigger DDL for one database dialect."""
    return POSTGRESQL_GUARDS if dialect == "postgresql" else SQLITE_GUARDS


def install_guards(connection: Connection) -> None:
    """Create the append-only and immutability triggers (idempotent)."""
    for statement in guard_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)

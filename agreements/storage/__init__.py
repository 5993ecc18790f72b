"""Storage: database engines, the guards the database enforces itself, and migrations.

- engines: SQLite and PostgreSQL engines with Accord's transaction rules (no Flask).
- sessions: the application's engine and the session each request works in (Flask).
- triggers: append-only and immutability guards installed by the migration.
- migrate: running Alembic from inside the application (CLI, tests).
- backup: online backup and restore of a whole SQLite instance (no Flask).
- by_id: one row by its id, from a statement built once per model (no Flask).

May import: models, errors, wording and SQLAlchemy; only sessions imports Flask. Never
services, web or API.
"""

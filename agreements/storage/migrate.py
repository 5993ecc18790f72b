"""Running Alembic from inside the app, so migrations use the app's own configuration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ..config import ROOT

MIGRATIONS_DIR = ROOT / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic configuration bound to `engine` (no alembic.ini needed)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create the database or bring it up to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def _scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revision() -> str | None:
    """The newest migration this version of Accord ships."""
    return _scripts().get_current_head()


def known_revisions() -> set[str]:
    """Every schema revision this version of Accord can upgrade from (for restores)."""
    return {script.revision for script in _scripts().walk_revisions()}


def downgrade(engine: Engine, revision: str = "-1") -> None:
    """Step the schema back to `revision` (default: one migration; "base" drops everything).

    For undoing an upgrade that went wrong: a downgrade drops what the later migrations
    added, with the data in it, so take a backup first.
    """
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no migration applied)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

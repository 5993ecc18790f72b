"""Running Alembic from inside the app, so migrations use the app's own configuration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
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

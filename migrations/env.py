"""Alembic environment: migrates the database the Flask app is configured for.

`flask --app wsgi db upgrade` passes the app's engine in `config.attributes["engine"]`;
the plain `alembic` command falls back to DATABASE_URL.
"""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

import agreements.models  # noqa: F401  (registers every table on SQLModel.metadata)
from agreements.storage.engines import make_engine
from agreements.storage.search_index import include_name

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine") or make_engine(
        os.environ.get("DATABASE_URL", "sqlite:///instance/accord.sqlite")
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()

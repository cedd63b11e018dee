"""Alembic environment: runs on the connection the Store hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from tpicode.store.models import Base


def _run(connection: Connection) -> None:
    """Batch mode on SQLite, so that later ALTERs work by copy-and-move."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Only online mode: the Store always passes a live connection in config.attributes."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("tpicode migrations run through tpicode.store.Store.upgrade(), not bare alembic")
    _run(connection)


run()

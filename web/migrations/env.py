"""Alembic's entry: migrations run on the connection that :func:`web.database.migrate` hands
over, with batch mode so that SQLite can alter tables."""

from __future__ import annotations

from alembic import context

from web.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()

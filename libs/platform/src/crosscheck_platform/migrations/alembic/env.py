"""Alembic's environment for every Crosscheck schema: the runner (`..runner`) hands the
connection, the schema and the version table in through the config's attributes, so
one environment serves the platform's steps and each service's."""

from __future__ import annotations

from alembic import context

attributes = context.config.attributes
context.configure(
    connection=attributes["connection"],
    version_table=attributes["version_table"],
    version_table_schema=attributes["schema"],
    # Each step commits on its own: a failing step rolls back alone, the steps before it
    # stay applied and recorded, and the next run starts from the failed one.
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()

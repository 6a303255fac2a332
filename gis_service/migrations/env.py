"""Alembic environment: the only way the schema is created or changed."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from gis_service.core.settings import get_settings
from gis_service.migrations import vocabularies

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("url") or get_settings().sqlalchemy_url
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
        # after the migrations, however far they went (none: the connection may have begun
        # a transaction of its own already), in a transaction committed here
        vocabularies.sync(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported; run against a database.")
run_migrations_online()

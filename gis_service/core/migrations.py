"""Running Alembic programmatically (the CLI and ./scripts/run use this)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(sqlalchemy_url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if sqlalchemy_url:
        cfg.attributes["url"] = sqlalchemy_url
    return cfg


@lru_cache
def head_revision() -> str | None:
    """The newest migration shipped with this code (read once: it cannot change at run time)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(sqlalchemy_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(sqlalchemy_url), revision)


def downgrade(sqlalchemy_url: str, revision: str) -> None:
    command.downgrade(alembic_config(sqlalchemy_url), revision)

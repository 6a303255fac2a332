"""The limits the database puts on text columns, read from the database itself, so that an
importer can check every row against them before it inserts anything and name the row,
instead of letting the database refuse the whole statement with a message nobody can act
on. Read once per table and process (a schema change restarts the service)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_LIMITS: dict[str, dict[str, int]] = {}


async def text_limits(db_session: AsyncSession, table: str) -> dict[str, int]:
    """Column -> maximum characters, for the table's varchar(n) columns."""
    if table not in _LIMITS:
        rows = await db_session.execute(
            text(
                "SELECT column_name, character_maximum_length FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = :t AND character_maximum_length IS NOT NULL"
            ),
            {"t": table},
        )
        _LIMITS[table] = {r.column_name: r.character_maximum_length for r in rows}
    return _LIMITS[table]


def too_long(values: dict, limits: dict[str, int]) -> list[str]:
    """A row error for each text value longer than its column allows."""
    return [
        f"{column} is {len(value)} characters long; at most {limits[column]} fit"
        for column, value in values.items()
        if column in limits and isinstance(value, str) and len(value) > limits[column]
    ]

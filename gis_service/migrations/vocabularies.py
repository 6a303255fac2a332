"""The CHECK lists that hold a column to a vocabulary declared in code (roles, marker
conditions, place-name statuses and stages, dispute statuses) follow the code: after
every upgrade, a list that differs from its vocabulary is replaced. A new role or
condition is then a line in its module (and its words in the map's translations), not a
migration too. tests/test_vocabularies.py checks that each list equals its vocabulary."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection


def _roles() -> list[str]:
    from gis_service.auth.roles import ROLES

    return list(ROLES)


def _conditions() -> list[str]:
    from gis_service.inspections.vocabulary import CONDITIONS

    return list(CONDITIONS)


def _place_name_statuses() -> list[str]:
    from gis_service.placenames.vocabulary import STATUSES

    return list(STATUSES)


def _naming_stages() -> list[str]:
    from gis_service.placenames.vocabulary import STAGES

    return list(STAGES)


def _approval_levels() -> list[str]:
    from gis_service.placenames.approval import LEVELS

    return list(LEVELS)


def _dispute_statuses() -> list[str]:
    from gis_service.disputes.schemas import Status

    return list(Status.__args__)


def _register_change_kinds() -> list[str]:
    from gis_service.register_update.vocabulary import KINDS

    return list(KINDS)


def _register_change_statuses() -> list[str]:
    from gis_service.register_update.vocabulary import STATUSES

    return list(STATUSES)


# (table, column) -> its vocabulary
VOCABULARIES: dict[tuple[str, str], Callable[[], list[str]]] = {
    ("app_user", "role"): _roles,
    ("boundary_marker", "condition"): _conditions,
    ("marker_inspection", "condition"): _conditions,
    ("place_name_sign", "condition"): _conditions,
    ("sign_inspection", "condition"): _conditions,
    ("place_name", "status"): _place_name_statuses,
    ("naming_request", "stage"): _naming_stages,
    ("boundary_dispute", "status"): _dispute_statuses,
    ("naming_approval_rule", "level"): _approval_levels,
    ("register_change", "kind"): _register_change_kinds,
    ("register_change", "status"): _register_change_statuses,
}


def check_list(connection: Connection, table: str, column: str) -> tuple[str, set[str]] | None:
    """The CHECK constraint listing the column's values: (its name, the values)."""
    rows = connection.execute(
        text("""SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = to_regclass(:t) AND c.contype = 'c'"""),
        {"t": f"public.{table}"},
    )
    # written as IN (...), PostgreSQL gives it back as (column)::text = ANY (ARRAY['a', ...])
    for name, definition in rows:
        if re.search(rf"\({column}\)(::\w+)? = ANY", definition):
            return name, set(re.findall(r"'([^']+)'", definition))
    return None


def sync(connection: Connection) -> list[str]:
    """Replace each list that differs from its vocabulary; the names of those replaced."""
    replaced = []
    for (table, column), vocabulary in VOCABULARIES.items():
        found = check_list(connection, table, column)
        values = vocabulary()
        if found is None or found[1] == set(values):
            continue  # a table not made yet (an older revision), or already right
        name = found[0]
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        connection.execute(
            text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" CHECK ({column} IN ({listed}))')
        )
        replaced.append(name)
    return replaced

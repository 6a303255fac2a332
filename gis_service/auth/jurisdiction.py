"""Where an account may act: with auth/roles.py (what a role may do), the one place that
answers "may this user do that here?".

An account belongs to a unit: the served unit (no unit stored: the deployment's own
bureau, and every account made before accounts had units) or a county-level or higher
unit within it. A write on a record is allowed when one of the record's units lies
within the account's unit: the unit itself or below it. A boundary line belongs to the
units on both sides and to their parents, so a banner's inspector works on the lines of
the banner and the city's on every line of the city; a place name belongs to the unit it
lies in. Reads follow the READ_SCOPE setting: the whole deployment ("deployment", the
default), or, with "unit", the same records as the account's writes (auth/read_scopes.py
says where each read applies it).
"""

from __future__ import annotations

from collections.abc import Iterable

from gis_service.admin_units.home import HomeUnit
from gis_service.auth.models import AppUser
from gis_service.core.errors import Forbidden, NotFound


def bounded(user: AppUser | None) -> bool:
    """Whether the user's writes are limited to a unit: the command line (no user) and
    accounts of the served unit may write anywhere, and need not look a record's units up."""
    return user is not None and bool(getattr(user, "unit_code", None))


def covers(user: AppUser | None, code: str | None) -> bool:
    """Whether a unit (any level: county, township or village code) lies within the
    user's."""
    if not bounded(user):
        return True
    return code is not None and HomeUnit(user.unit_code).contains(code)


def require_within(user: AppUser | None, units: Iterable[str | None], what: tuple[str, str]) -> None:
    """403 unless one of the record's units lies within the user's. `what` names the
    record, in English and Chinese."""
    units = [u for u in units if u]
    if any(covers(user, u) for u in units):
        return
    names = ", ".join(units) or "none"
    raise Forbidden(
        f"{what[0]} belongs to {names}, outside your unit ({user.unit_code}); "
        "an account of that unit or of one above it does this.",
        f"{what[1]}属于 {names}，不在您所属单位（{user.unit_code}）的辖区内；"
        "请由该单位或其上级单位的账号办理。",
    )


def read_prefix(user: AppUser | None, read_scope: str) -> str | None:
    """The division-code prefix a caller's reads are limited to (READ_SCOPE=unit, an
    account of a unit within the served one), or None: reads everything. Digits only, so
    SQL may carry it as a literal."""
    if read_scope != "unit" or not bounded(user):
        return None
    return HomeUnit(user.unit_code).prefix


def readable(prefix: str | None, units: Iterable[str | None]) -> bool:
    """Whether a record of these units is read under `prefix` (read_prefix's answer)."""
    return prefix is None or any(u and u.startswith(prefix) for u in units)


def require_readable(prefix: str | None, units: Iterable[str | None], what: tuple[str, str]) -> None:
    """404 for a record outside the caller's reads: not found, as far as they are concerned.
    `what` names the record, in English and Chinese."""
    if not readable(prefix, units):
        raise NotFound(f"{what[0]} was not found within your unit.", f"在您所属单位的辖区内未找到{what[1]}。")


def line_units(line_code: str) -> list[str]:
    """The units on both sides of a boundary line (its code is the two joined by '-')."""
    return line_code.split("-")

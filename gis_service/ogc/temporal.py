"""OGC API – Features `datetime`: an instant or a closed, half-open or open interval
(`start/end`, with `..` or nothing for an open end), in RFC 3339. A date without a time
stands for its whole day; interval ends are inclusive. Turned into SQL on the layer's
temporal property with bound values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gis_service.core.errors import BadRequest

_HELP = (
    "datetime must be an instant (2024-05-01 or 2024-05-01T08:00:00Z) or an interval "
    "start/end, with .. for an open end (2024-01-01/.., ../2024-06-30)."
)
_HELP_ZH = "datetime 须为时刻（如 2024-05-01 或 2024-05-01T08:00:00Z）或区间 起/止（开放端用 ..）。"


def _parse(value: str) -> date | datetime | None:
    value = value.strip()
    if value in ("", ".."):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"'{value}' is not an RFC 3339 date or time. {_HELP}", _HELP_ZH) from None
    if moment.tzinfo is None:
        raise BadRequest(f"'{value}' has no time zone (add Z or +08:00). {_HELP}", _HELP_ZH)
    return moment.astimezone(UTC)


def _start(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day, tzinfo=UTC)


def condition(raw: str, column_sql: str) -> tuple[str, dict] | None:
    """SQL for `datetime=raw` on `column_sql` (a quoted, validated column), or None for ../.."""
    parts = raw.split("/")
    if len(parts) > 2 or all(part.strip() == "" for part in parts):
        raise BadRequest(f"datetime '{raw}' is not an instant or an interval. {_HELP}", _HELP_ZH)
    if len(parts) == 1:
        instant = _parse(parts[0])
        if instant is None:
            raise BadRequest(f"datetime '{raw}' is empty. {_HELP}", _HELP_ZH)
        if isinstance(instant, datetime):
            return f"{column_sql} = :dt0", {"dt0": instant}
        start, end = _start(instant), None
        upper = _start(instant) + timedelta(days=1)
    else:
        first, last = _parse(parts[0]), _parse(parts[1])
        start = _start(first) if first is not None else None
        end = last if isinstance(last, datetime) else None
        upper = (
            _start(last) + timedelta(days=1)
            if isinstance(last, date) and not isinstance(last, datetime)
            else None
        )
        if start is not None and (end or upper) is not None and start > (end or upper):
            raise BadRequest(f"datetime '{raw}' ends before it starts.", "datetime 区间的结束早于开始。")
    clauses, params = [], {}
    if start is not None:
        clauses.append(f"{column_sql} >= :dt0")
        params["dt0"] = start
    if end is not None:
        clauses.append(f"{column_sql} <= :dt1")
        params["dt1"] = end
    if upper is not None:
        clauses.append(f"{column_sql} < :dt1")
        params["dt1"] = upper
    return (" AND ".join(clauses), params) if clauses else None

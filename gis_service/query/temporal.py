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


def _span(value: date | datetime) -> tuple[datetime, datetime, bool]:
    """(from, to, whether `to` is included): a date is its whole day, a time is itself."""
    if isinstance(value, datetime):
        return value, value, True
    midnight = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return midnight, midnight + timedelta(days=1), False


def condition(raw: str, column_sql: str) -> tuple[str, dict] | None:
    """SQL for `datetime=raw` on `column_sql` (a quoted, validated column), or None for ../.."""
    parts = raw.split("/")
    if len(parts) > 2 or all(part.strip() == "" for part in parts):
        raise BadRequest(f"datetime '{raw}' is not an instant or an interval. {_HELP}", _HELP_ZH)
    if len(parts) == 1:
        instant = _parse(parts[0])
        if instant is None:
            raise BadRequest(f"datetime '{raw}' is an open end without an interval. {_HELP}", _HELP_ZH)
        if isinstance(instant, datetime):
            return f"{column_sql} = :dt0", {"dt0": instant}
        first = last = instant
    else:
        first, last = _parse(parts[0]), _parse(parts[1])
        if first is not None and last is not None and _span(first)[0] > _span(last)[0]:
            raise BadRequest(f"datetime '{raw}' ends before it starts.", "datetime 区间的结束早于开始。")
    clauses, params = [], {}
    if first is not None:
        clauses.append(f"{column_sql} >= :dt0")
        params["dt0"] = _span(first)[0]
    if last is not None:
        _, upper, included = _span(last)
        clauses.append(f"{column_sql} {'<=' if included else '<'} :dt1")
        params["dt1"] = upper
    return (" AND ".join(clauses), params) if clauses else None

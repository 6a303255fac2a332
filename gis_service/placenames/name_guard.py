"""Names are checked where they are saved. A name that breaks a prohibition (a finding of
severity `error`: a duplicate in its scope, a person's, enterprise's or foreign name) is
refused with its findings, unless an officer waives it with a reason; the waiver goes
into the record's version, the audit log and the register's findings as `waived`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.core.errors import Conflict
from gis_service.placenames.findings import check_proposed, child_level, scope_prefix
from gis_service.placenames.rules import Finding

# Fields whose change can make a name clash or break a rule.
NAME_FIELDS = ("name", "admin_code", "level", "category_code", "status")
INACTIVE = ("cancelled", "historical")


class NameRefused(Conflict):
    code = "name_refused"

    def __init__(self, errors: list[Finding], everything: list[Finding]):
        rules = "、".join(dict.fromkeys(f.rule for f in errors))
        super().__init__(
            f"The name breaks a rule ({rules}); nothing was saved. Choose another name, or send "
            "waiver_reason to save it with the findings waived.",
            f"名称违反地名管理规定（{rules}），未保存。请另选名称，或填写豁免理由后保存。",
        )
        self.errors = errors
        self.findings = everything

    def body(self) -> dict:
        return {**super().body(), "findings": [f.as_dict() for f in self.findings]}


async def check_on_save(
    db_session: AsyncSession, record: dict, *, exclude_id: int | None, waiver_reason: str | None
) -> list[Finding]:
    """The errors a saved `record` waives (empty when it breaks nothing). Raises NameRefused
    when it breaks a prohibition and no waiver is given."""
    if record.get("status") in INACTIVE or not record.get("admin_code"):
        return []
    level = record.get("level") or child_level(record["admin_code"])
    # One writer per scope at a time: two officers saving the same new name in the same
    # township at once would otherwise both pass the duplicate check.
    await db_session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"place_name_scope:{level}:{scope_prefix(level, record['admin_code'])}"},
    )
    found = await check_proposed(
        db_session,
        name=record["name"],
        admin_code=record["admin_code"],
        category=record.get("category_code"),
        level=level,
        exclude_id=exclude_id,
    )
    errors = [f for f in found if f.severity == "error"]
    if errors and not (waiver_reason or "").strip():
        raise NameRefused(errors, found)
    return errors


def touches_name(changes: dict, current: dict) -> bool:
    return any(key in changes and changes[key] != current.get(key) for key in NAME_FIELDS)


def waiver_note(waived: list[Finding], reason: str | None) -> dict:
    """What the version and the audit record of a waiver, as a `waived` member to merge
    into them (nothing when no rule was waived)."""
    if not waived:
        return {}
    return {
        "waived": {"rules": list(dict.fromkeys(f.rule for f in waived)), "reason": (reason or "").strip()}
    }


async def record_waived(
    db_session: AsyncSession, place_id: int, waived: list[Finding], *, reason: str | None, actor: str
) -> None:
    """The waived errors join the register's findings as `waived`, so the register-wide
    audit keeps them waived instead of reopening them."""
    if not waived:
        return
    await db_session.execute(
        text("""INSERT INTO place_name_finding (place_name_id, rule, severity, message, suggestion,
                    message_zh, suggestion_zh, status, waiver_reason, closed_by, closed_at)
                VALUES (:pid, :rule, :severity, :message, :suggestion, :message_zh, :suggestion_zh,
                        'waived', :reason, :by, now())"""),
        [{"pid": place_id, **f.as_dict(), "reason": (reason or "").strip(), "by": actor} for f in waived],
    )

"""Running the standardisation checks: on a proposed name in its context, and over
the whole register, where findings are kept until resolved or waived with a reason."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import Conflict, NotFound
from gis_service.placenames.known_codes import check_references
from gis_service.placenames.lexicon import lexicons
from gis_service.placenames.reference import word_lists
from gis_service.placenames.rules import CheckContext, Finding, check_name

PREFIX_BY_SCOPE = {"country": 0, "province": 2, "city": 4, "county": 6, "township": 9}


def child_level(admin_code: str) -> str:
    """The level of a place that lies directly in the unit with this code."""
    if len(admin_code) == 12:
        return "village"  # a natural village within an administrative village
    if len(admin_code) == 9:
        return "village"
    if admin_code.endswith("0000"):
        return "city"
    if admin_code.endswith("00"):
        return "county"
    return "township"


def scope_prefix(level: str | None, admin_code: str) -> str:
    scope = word_lists()["duplicate_scope"].get(level or "", "county")
    return admin_code[: PREFIX_BY_SCOPE.get(scope, 6)]


async def check_proposed(
    db_session: AsyncSession,
    *,
    name: str,
    admin_code: str,
    category: str | None,
    level: str | None,
    exclude_id: int | None = None,
) -> list[Finding]:
    """Every finding for `name` in its scope; `exclude_id` is the record being renamed,
    which is not its own duplicate."""
    await check_references(db_session, {"admin_code": admin_code, "category_code": category})
    if category is not None and level is None:
        level = await db_session.scalar(
            text("SELECT level FROM place_name_category WHERE code = :c"), {"c": category}
        )
    level = level or child_level(admin_code)
    prefix = scope_prefix(level, admin_code)
    neighbours = await db_session.execute(
        text("""SELECT name, pinyin FROM place_name WHERE level = :level AND admin_code LIKE :prefix
                AND status NOT IN ('cancelled', 'historical')
                AND id IS DISTINCT FROM CAST(:exclude AS bigint)"""),
        {"level": level, "prefix": prefix + "%", "exclude": exclude_id},
    )
    ctx = CheckContext(
        name=name,
        level=level,
        category=category,
        neighbours=[tuple(r) for r in neighbours],
        lexicon=(await lexicons(db_session)).for_code(admin_code),
    )
    return check_name(ctx)


async def audit_register(db_session: AsyncSession) -> dict:
    """Check every current name against its scope; record new findings, resolve those that
    no longer occur, keep waived ones waived. Returns counts by rule and by banner."""
    names = (
        await db_session.execute(
            text("""SELECT id, name, level, admin_code, category_code, pinyin FROM place_name
                    WHERE status NOT IN ('cancelled', 'historical') AND admin_code IS NOT NULL""")
        )
    ).all()
    known = await lexicons(db_session)
    scopes: dict[tuple, list] = defaultdict(list)
    for n in names:
        scopes[(n.level, scope_prefix(n.level, n.admin_code))].append(n)
    found: list[dict] = []
    for n in names:
        peers = scopes[(n.level, scope_prefix(n.level, n.admin_code))]
        ctx = CheckContext(
            name=n.name,
            level=n.level,
            category=n.category_code,
            neighbours=[(p.name, p.pinyin) for p in peers if p.id != n.id],
            lexicon=known.for_code(n.admin_code),
        )
        found += [{"id": n.id, **f.as_dict()} for f in check_name(ctx)]
    await db_session.execute(
        text(
            "CREATE TEMP TABLE found (id bigint, rule text, severity text, message text,"
            " suggestion text, message_zh text, suggestion_zh text) ON COMMIT DROP"
        )
    )
    if found:
        await db_session.execute(
            text(
                "INSERT INTO found VALUES (:id, :rule, :severity, :message, :suggestion, :message_zh, :suggestion_zh)"
            ),
            found,
        )
    resolved = await db_session.execute(
        text("""UPDATE place_name_finding f SET status = 'resolved', closed_by = 'register audit', closed_at = now()
                WHERE f.status = 'open' AND NOT EXISTS (
                    SELECT 1 FROM found n WHERE n.id = f.place_name_id AND n.rule = f.rule AND n.message = f.message)""")
    )
    # findings recorded before they had a Chinese text get it from this audit
    await db_session.execute(
        text("""UPDATE place_name_finding f SET message_zh = n.message_zh, suggestion_zh = n.suggestion_zh
                FROM found n WHERE f.message_zh IS NULL AND n.id = f.place_name_id AND n.rule = f.rule
                  AND n.message = f.message""")
    )
    added = await db_session.execute(
        text("""INSERT INTO place_name_finding (place_name_id, rule, severity, message, suggestion,
                                                message_zh, suggestion_zh)
                SELECT n.id, n.rule, n.severity, n.message, n.suggestion, n.message_zh, n.suggestion_zh FROM found n
                WHERE NOT EXISTS (SELECT 1 FROM place_name_finding f WHERE f.place_name_id = n.id
                                  AND f.rule = n.rule AND f.message = n.message AND f.status IN ('open', 'waived'))""")
    )
    return {
        "names_checked": len(names),
        "new": added.rowcount,
        "resolved": resolved.rowcount,
        **await summary(db_session),
    }


async def summary(db_session: AsyncSession, within: str | None = None) -> dict:
    rows = (
        await db_session.execute(
            text("""SELECT f.rule, f.severity, left(p.admin_code, 6) AS banner,
                           (SELECT name FROM admin_unit a WHERE a.code = left(p.admin_code, 6)
                            AND a.valid_to IS NULL) AS banner_name
                    FROM place_name_finding f JOIN place_name p ON p.id = f.place_name_id
                    WHERE f.status = 'open' AND units_within(p.admin_code, CAST(:within AS text))"""),
            {"within": within},
        )
    ).all()
    by_rule = Counter(r.rule for r in rows)
    by_banner = Counter((r.banner, r.banner_name) for r in rows)
    return {
        "open": len(rows),
        "by_rule": dict(sorted(by_rule.items())),
        "by_banner": [{"code": c, "name": n, "open": k} for (c, n), k in sorted(by_banner.items())],
    }


async def list_findings(
    db_session: AsyncSession,
    *,
    place_name_id: int | None,
    status: str | None,
    rule: str | None,
    limit: int,
    within: str | None = None,
) -> list[dict]:
    rows = await db_session.execute(
        text("""SELECT f.id, f.place_name_id, p.name, f.rule, f.severity, f.message, f.suggestion,
                       f.message_zh, f.suggestion_zh, f.status,
                       f.waiver_reason, f.closed_by, f.closed_at, f.found_at
                FROM place_name_finding f JOIN place_name p ON p.id = f.place_name_id
                WHERE (CAST(:pid AS bigint) IS NULL OR f.place_name_id = :pid)
                  AND (CAST(:status AS text) IS NULL OR f.status = :status)
                  AND (CAST(:rule AS text) IS NULL OR f.rule = :rule)
                  AND units_within(p.admin_code, CAST(:within AS text))
                ORDER BY f.id LIMIT :limit"""),
        {"pid": place_name_id, "status": status, "rule": rule, "limit": limit, "within": within},
    )
    return [dict(r._mapping) for r in rows]


async def close(
    db_session: AsyncSession, finding_id: int, *, actor: AppUser, waive_reason: str | None
) -> dict:
    row = (
        await db_session.execute(
            text("""SELECT f.status, p.admin_code FROM place_name_finding f
                    JOIN place_name p ON p.id = f.place_name_id WHERE f.id = :id FOR UPDATE OF f"""),
            {"id": finding_id},
        )
    ).first()
    if row is None:
        raise NotFound(f"No finding {finding_id}.", f"检查结果 {finding_id} 不存在。")
    jurisdiction.require_within(actor, [row.admin_code], ("The finding's name", "该检查结果所属地名"))
    if row.status != "open":
        raise Conflict(f"This finding is already {row.status}.", "该检查结果已关闭。")
    status = "waived" if waive_reason else "resolved"
    await db_session.execute(
        text("""UPDATE place_name_finding SET status = :s, waiver_reason = :r, closed_by = :by, closed_at = now()
                WHERE id = :id"""),
        {"s": status, "r": waive_reason, "by": actor.username, "id": finding_id},
    )
    return {"id": finding_id, "status": status}

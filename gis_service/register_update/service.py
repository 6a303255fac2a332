"""Running an edition against the register, the review lists, and what an accepted change
does to the records.

An edition is stored once per served unit (by its units' checksum): running it again
returns the first run and changes nothing. Accepting a change writes it into the
register in one transaction, with the edition as its source:
- renamed, transliteration: the unit's name (a new version of the unit); where the
  standard name changes, the place name's too: recorded at once as an administrative
  update (a new version, the old name kept among its former names, the same name checks
  as any edit) when the deciding bureau is the one that approves that kind of name
  (placenames/approval.py), else a renaming request of the naming procedure, made for
  the approving bureau;
- recoded, moved: the same record under its new code and parent, history kept;
- gone: the unit's lifespan ends and its name is cancelled, never deleted;
- new: the unit and its standard name enter the register.
Rejecting only records the decision and its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.admin_units.home import HomeUnit
from gis_service.audit import service as audit
from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import Conflict, NotFound
from gis_service.placenames import procedure
from gis_service.placenames import service as names
from gis_service.placenames.lexicon import lexicons
from gis_service.placenames.naming import standard_name
from gis_service.placenames.register_import import import_admin_units
from gis_service.placenames.romanize import has_root
from gis_service.placenames.schemas import PlaceNameFields, RequestIn
from gis_service.register_update.classify import Change, RegisterUnit, classify
from gis_service.register_update.editions import Edition
from gis_service.register_update.vocabulary import KINDS

BEIJING = ZoneInfo("Asia/Shanghai")
_CHANGE_COLUMNS = [
    "kind",
    "level",
    "old_code",
    "new_code",
    "old_name",
    "new_name",
    "old_standard",
    "new_standard",
    "standard_changes",
    "old_parent",
    "new_parent",
    "successor_code",
    "successor_name",
    "county_code",
    "township_code",
]


async def register_units(db_session: AsyncSession, home: HomeUnit) -> dict[str, RegisterUnit]:
    """The register's current townships and villages within the home, with their standard names."""
    rows = await db_session.execute(
        text("""SELECT a.code, a.name, a.parent_code, a.level, p.name AS standard
                FROM admin_unit a LEFT JOIN place_name p ON p.unit_code = a.code
                WHERE a.valid_to IS NULL AND a.level IN ('township', 'village') AND a.code LIKE :like"""),
        {"like": home.like},
    )
    return {
        r.code: RegisterUnit(r.name, r.parent_code or "", r.level, r.standard or standard_name(r.name))
        for r in rows
    }


async def run(db_session: AsyncSession, edition: Edition, *, home: HomeUnit, actor: AppUser | None) -> dict:
    """Classify the edition's differences from the register and keep them for review."""
    found = await db_session.scalar(
        text("SELECT id FROM register_edition WHERE home_code = :h AND checksum = :c"),
        {"h": home.code, "c": edition.checksum},
    )
    if found is not None:
        return await summary(db_session, found) | {"again": True}
    lexicon = (await lexicons(db_session)).for_code(home.code)
    changes = classify(await register_units(db_session, home), edition.units, lambda t: has_root(t, lexicon))
    edition_id = await db_session.scalar(
        text("""INSERT INTO register_edition (label, source_kind, as_of, checksum, home_code, units, loaded_by)
                VALUES (:label, :kind, :as_of, :checksum, :home, :units, :by) RETURNING id"""),
        {
            "label": edition.label,
            "kind": edition.source_kind,
            "as_of": edition.as_of,
            "checksum": edition.checksum,
            "home": home.code,
            "units": len(edition.units),
            "by": actor.username if actor else "cli",
        },
    )
    await _store(db_session, edition_id, changes)
    await audit.record(
        db_session,
        by=actor,
        action="create",
        entity="register_edition",
        entity_id=str(edition_id),
        after={"label": edition.label, "changes": len(changes)},
    )
    return await summary(db_session, edition_id) | {"again": False}


async def _store(db_session: AsyncSession, edition_id: int, changes: list[Change]) -> None:
    if not changes:
        return
    rows = [c.as_row() for c in changes]
    columns = ", ".join(_CHANGE_COLUMNS)
    arrays = ", ".join(
        f"CAST(:{c} AS {'boolean' if c == 'standard_changes' else 'text'}[])" for c in _CHANGE_COLUMNS
    )
    await db_session.execute(
        text(f"""INSERT INTO register_change (edition_id, {columns}, place_name_id)
                 SELECT :edition, r.*, (SELECT p.id FROM place_name p WHERE p.unit_code = r.old_code)
                 FROM unnest({arrays}) AS r({columns})"""),
        {"edition": edition_id} | {c: [r[c] for r in rows] for c in _CHANGE_COLUMNS},
    )


async def summary(db_session: AsyncSession, edition_id: int) -> dict:
    edition = (
        await db_session.execute(
            text("""SELECT id, label, source_kind, as_of, home_code, units, loaded_by, loaded_at
                    FROM register_edition WHERE id = :id"""),
            {"id": edition_id},
        )
    ).first()
    if edition is None:
        raise NotFound(f"No edition {edition_id}.", f"版本 {edition_id} 不存在。")
    counts = await db_session.execute(
        text("SELECT kind, status, count(*) AS n FROM register_change WHERE edition_id = :id GROUP BY 1, 2"),
        {"id": edition_id},
    )
    by_kind = {k: {"open": 0, "accepted": 0, "rejected": 0} for k in KINDS}
    for r in counts:
        by_kind[r.kind][r.status] = r.n
    total = sum(sum(v.values()) for v in by_kind.values())
    reviewed = sum(v["accepted"] + v["rejected"] for v in by_kind.values())
    return dict(edition._mapping) | {
        "changes": total,
        "reviewed": reviewed,
        "reviewed_pct": round(100.0 * reviewed / total, 1) if total else 100.0,
        "by_kind": by_kind,
    }


async def editions(db_session: AsyncSession, home: HomeUnit) -> list[dict]:
    ids = await db_session.scalars(
        text("SELECT id FROM register_edition WHERE home_code = :h ORDER BY as_of DESC NULLS LAST, id DESC"),
        {"h": home.code},
    )
    return [await summary(db_session, i) for i in ids.all()]


async def changes(
    db_session: AsyncSession,
    edition_id: int,
    *,
    county: str | None,
    township: str | None,
    status: str | None,
    kind: str | None,
    within: str | None = None,
) -> list[dict]:
    """The review list of a banner or a township (or the whole edition; `within`: of the
    banners in that unit)."""
    rows = await db_session.execute(
        text("""WITH picked AS (
                    SELECT c.id, c.kind, c.level, c.old_code, c.new_code, c.old_name, c.new_name, c.old_standard,
                           c.new_standard, c.standard_changes, c.old_parent, c.new_parent, c.successor_code,
                           c.successor_name, c.county_code, c.township_code, c.status, c.reason, c.decided_by,
                           c.decided_at, c.place_name_id, c.naming_request_id
                    FROM register_change c
                    WHERE c.edition_id = :e AND c.county_code = coalesce(:county, c.county_code)
                      AND c.township_code = coalesce(:township, c.township_code)
                      AND c.status = coalesce(:status, c.status) AND c.kind = coalesce(:kind, c.kind)
                      AND units_within(c.county_code, CAST(:within AS text))
                ), townships AS (  -- each township named once, by its latest version (a gone one too)
                    SELECT DISTINCT ON (a.code) a.code, a.name FROM admin_unit a
                    WHERE a.code IN (SELECT township_code FROM picked) AND a.level = 'township'
                    ORDER BY a.code, a.valid_to DESC NULLS FIRST
                )
                SELECT picked.*, townships.name AS township_name
                FROM picked LEFT JOIN townships ON townships.code = picked.township_code
                ORDER BY picked.township_code, length(coalesce(picked.new_code, picked.old_code)), picked.id"""),
        {
            "e": edition_id,
            "county": county,
            "township": township,
            "status": status,
            "kind": kind,
            "within": within,
        },
    )
    return [dict(r._mapping) for r in rows]


async def decide(
    db_session: AsyncSession,
    change_id: int,
    *,
    accept: bool,
    reason: str,
    actor: AppUser,
    served_unit: str,
) -> dict:
    """Accept (the register takes the change) or reject, with the reason, once."""
    change = (
        await db_session.execute(
            text("""SELECT c.*, e.label, e.as_of FROM register_change c
                    JOIN register_edition e ON e.id = c.edition_id WHERE c.id = :id FOR UPDATE OF c"""),
            {"id": change_id},
        )
    ).first()
    if change is None:
        raise NotFound(f"No change {change_id}.", f"变更 {change_id} 不存在。")
    jurisdiction.require_within(actor, [change.county_code], (f"Change {change_id}", f"变更 {change_id}"))
    if change.status != "open":
        raise Conflict(f"This change was already {change.status}.", "该变更已审核。")
    if accept:
        await _require_current(db_session, change)
        await APPLY[change.kind](db_session, change, Decision(actor, reason, served_unit))
    status = "accepted" if accept else "rejected"
    await db_session.execute(
        text("""UPDATE register_change SET status = :s, reason = :r, decided_by = :by, decided_at = now()
                WHERE id = :id"""),
        {"s": status, "r": reason, "by": actor.username, "id": change_id},
    )
    await audit.record(
        db_session,
        by=actor,
        action="update",
        entity="register_change",
        entity_id=str(change_id),
        before={"status": "open"},
        after={"status": status, "reason": reason},
    )
    request_id = await db_session.scalar(
        text("SELECT naming_request_id FROM register_change WHERE id = :id"), {"id": change_id}
    )
    return {"id": change_id, "status": status, "naming_request_id": request_id}


# -- what an accepted change does ---------------------------------------------------------
def _on(change) -> date:
    return change.as_of or date.today()


async def _in_force_from(db_session, place_id: int | None, change) -> datetime | None:
    """When the record's new version is in force: the edition's day (Beijing time), so that
    `as_of` answers as of each edition; or now, when the record changed after that day."""
    if change.as_of is None:
        return None
    day = datetime.combine(change.as_of, time.min, tzinfo=BEIJING)
    latest = await db_session.scalar(
        text("SELECT max(valid_from) FROM place_name_version WHERE place_name_id = :p"), {"p": place_id}
    )
    return day if latest is None or latest < day else None


# a unit's current version ends on the edition's day (or the day after it began, when it
# began later: a version lasts at least a day)
_CLOSE = "valid_to = greatest(CAST(:on AS date), coalesce(valid_from + 1, :on)), updated_at = now()"


async def _new_unit_version(db_session, change, kind: str) -> None:
    """Close the unit's current version and open the next, with the edition's name, code
    and parent, from the edition's date; the event goes into the unit's change history."""
    await db_session.execute(
        text(f"""WITH closed AS (
                    UPDATE admin_unit SET {_CLOSE} WHERE code = :old AND valid_to IS NULL RETURNING *)
                INSERT INTO admin_unit (code, name, level, parent_code, name_romanized, name_romanized_source,
                                        valid_from, valid_from_precision, geom, source)
                SELECT :code, :name, level, :parent, name_romanized, name_romanized_source, valid_to, 'day', geom,
                       :source FROM closed"""),
        {
            "on": _on(change),
            "old": change.old_code,
            "code": change.new_code,
            "name": change.new_name,
            "parent": change.new_parent,
            "source": change.label,
        },
    )
    await _event(
        db_session, change, code=change.new_code, name=change.new_name, kind=kind, related=[change.old_code]
    )


async def _event(db_session, change, *, code: str, name: str, kind: str, related: list[str]) -> None:
    await db_session.execute(
        text("""INSERT INTO admin_unit_change (code, name, change_type, effective_date, date_precision,
                                               related_codes, source, note)
                VALUES (:code, :name, :kind, :on, 'day', :related, :source, :note)"""),
        {
            "code": code,
            "name": name,
            "kind": kind,
            "on": _on(change),
            "related": [c for c in related if c and c != code],
            "source": change.label,
            "note": f"register update, change {change.id}",
        },
    )


async def _require_current(db_session: AsyncSession, change) -> None:
    """409 when the register no longer stands as the change was read against it (another
    edition's change, accepted since, made the unit gone, or gave its new code)."""
    current = set(
        await db_session.scalars(
            text("SELECT code FROM admin_unit WHERE code = ANY(:codes) AND valid_to IS NULL"),
            {"codes": [c for c in (change.old_code, change.new_code) if c]},
        )
    )
    stale = (change.old_code and change.old_code not in current) or (
        change.new_code and change.new_code != change.old_code and change.new_code in current
    )
    if stale:
        raise Conflict(
            f"The register has changed since this edition was read: {change.old_code or change.new_code} no longer"
            " stands as it did. Reject this change, or read the edition again.",
            "读入该版本后名录已有变化，此变更已不适用：请不予采纳，或重新读入该版本。",
        )


@dataclass(frozen=True)
class Decision:
    """Who decided, why, and for which deployment (whose bureau approves what)."""

    actor: AppUser
    reason: str
    served_unit: str


def _why(change, reason: str) -> str:
    return f"{change.label}: {KINDS[change.kind][1]} ({reason})"


async def _rename(db_session, change, decided: Decision) -> None:
    await _new_unit_version(db_session, change, "renamed")
    if not (change.standard_changes and change.place_name_id):
        return
    request = {
        "kind": "renaming",
        "place_name_id": change.place_name_id,
        "proposal": {"name": change.new_standard},
    }
    approving = await procedure.approval_for(db_session, request, decided.served_unit)
    if not jurisdiction.covers(decided.actor, approving.approving_unit):
        made = await procedure.create(
            db_session,
            RequestIn(
                kind="renaming",
                place_name_id=change.place_name_id,
                applicant=change.label[:200],
                reason=_why(change, decided.reason),
                proposal=PlaceNameFields(name=change.new_standard),
            ),
            decided.actor,
        )
        await db_session.execute(
            text("UPDATE register_change SET naming_request_id = :r WHERE id = :id"),
            {"r": made["id"], "id": change.id},
        )
        return
    await names.update(  # the old name is kept among the former names
        db_session,
        change.place_name_id,
        changes={"name": change.new_standard},
        actor=decided.actor,
        reason=_why(change, decided.reason),
        if_match=None,
        valid_from=await _in_force_from(db_session, change.place_name_id, change),
    )


async def _recode(db_session, change, decided: Decision) -> None:
    """The same record under its new code (and parent): history kept."""
    await _new_unit_version(db_session, change, "recoded")
    if change.place_name_id:
        await db_session.execute(
            text("""UPDATE place_name SET unit_code = :code, admin_code = :parent, version = version + 1,
                           updated_at = now(), updated_by = :by WHERE id = :id"""),
            {
                "code": change.new_code,
                "parent": change.new_parent,
                "by": decided.actor.username,
                "id": change.place_name_id,
            },
        )
        since = await _in_force_from(db_session, change.place_name_id, change)
        await names.record_versions(
            db_session,
            ids_sql=":id",
            params={"id": change.place_name_id},
            actor=decided.actor.username,
            valid_from=since,
            reason=_why(change, decided.reason),
            diff={
                "unit_code": {"before": change.old_code, "after": change.new_code},
                "admin_code": {"before": change.old_parent, "after": change.new_parent},
            },
        )


async def _end(db_session, change, decided: Decision) -> None:
    """The unit's lifespan ends; its name is cancelled, never deleted."""
    await db_session.execute(
        text(f"UPDATE admin_unit SET {_CLOSE} WHERE code = :old AND valid_to IS NULL"),
        {"on": _on(change), "old": change.old_code},
    )
    merged = "merged" if change.successor_code else "abolished"
    await _event(
        db_session,
        change,
        code=change.old_code,
        name=change.old_name,
        kind=merged,
        related=[change.successor_code] if change.successor_code else [],
    )
    if change.place_name_id:
        await names.update(
            db_session,
            change.place_name_id,
            changes={"status": "cancelled"},
            actor=decided.actor,
            reason=_why(change, decided.reason),
            if_match=None,
            valid_from=await _in_force_from(db_session, change.place_name_id, change),
        )


async def _create(db_session, change, decided: Decision) -> None:
    await db_session.execute(
        text("""INSERT INTO admin_unit (code, name, level, parent_code, valid_from, valid_from_precision, source)
                VALUES (:code, :name, :level, :parent, :on, 'day', :source)"""),
        {
            "code": change.new_code,
            "name": change.new_name,
            "level": change.level,
            "parent": change.new_parent,
            "on": _on(change),
            "source": change.label,
        },
    )
    await _event(db_session, change, code=change.new_code, name=change.new_name, kind="created", related=[])
    await import_admin_units(
        db_session,
        home_code=change.county_code,
        codes=[change.new_code],
        reason=_why(change, decided.reason),
        actor=decided.actor.username,
        valid_from=await _in_force_from(db_session, None, change),
    )
    place_id = await db_session.scalar(
        text("SELECT id FROM place_name WHERE unit_code = :c"), {"c": change.new_code}
    )
    await db_session.execute(
        text("UPDATE register_change SET place_name_id = :p WHERE id = :id"), {"p": place_id, "id": change.id}
    )


APPLY = {
    "renamed": _rename,
    "transliteration": _rename,
    "recoded": _recode,
    "moved": _recode,
    "gone": _end,
    "new": _create,
}

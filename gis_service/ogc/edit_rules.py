"""The domain rules behind OGC API Part 4 writes, one entry per editable table.

A layer is editable through OGC only if its table has an entry here: a write from QGIS
must meet the same rules as the register API that owns the records (a second door that
skips them is a defect). An entry either hands the write to the domain's own service
(disputes: parties checked, status moving only as the register allows and recorded on
the timeline, never deleted), or states that the table's constraints and triggers are
the whole rule set (facilities: vocabularies, positions and the banner are enforced in
the database; the register has no other write door than imports).

Each table also says which units a feature belongs to (UNITS), so an OGC write is held
to the same jurisdiction as the register's (auth/jurisdiction.py): the feature's units
before the write and after it must lie within the caller's unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.auth import jurisdiction
from gis_service.auth.models import AppUser
from gis_service.core.errors import BadRequest, Conflict, invalid_fields
from gis_service.disputes import service as disputes
from gis_service.disputes.schemas import DisputeIn


class DomainWrites(Protocol):
    """Writes handed to a domain service. Each raises the domain's 4xx on a broken rule."""

    async def create(self, db: AsyncSession, props: dict, geometry: dict | None, user: AppUser) -> str: ...

    async def update(
        self, db: AsyncSession, fid: str, props: dict, geometry: dict | None, user: AppUser
    ) -> None: ...

    async def delete(self, db: AsyncSession, fid: str, user: AppUser) -> None:
        """A check: raises when the record may not be deleted; the row is deleted after it."""


@dataclass(frozen=True)
class TableConstraints:
    """The table's own constraints and triggers are the rules: written as sent."""

    why: str


class DisputeWrites:
    async def create(self, db, props, geometry, user) -> str:
        if props.get("status") not in (None, "reported"):
            raise Conflict(
                "A new dispute starts as reported; move it on with events.",
                "新纠纷的状态为“已报告”，请通过事件推进。",
            )
        fields = {k: v for k, v in props.items() if k != "status" and v is not None}
        try:
            body = DisputeIn.model_validate({**fields, "geometry": geometry})
        except ValidationError as exc:
            raise invalid_fields(exc) from None
        return str(await disputes.create(db, body=body, actor=user))

    async def update(self, db, fid, props, geometry, user) -> None:
        await disputes.edit(db, dispute_id=_dispute_id(fid), changes=props, geometry=geometry, actor=user)

    async def delete(self, db, fid, user) -> None:
        raise disputes.refuse_delete(_dispute_id(fid))


def _dispute_id(fid: str) -> int:
    if not fid.isdigit():
        raise BadRequest(f"'{fid}' is not a dispute id.", f"“{fid}”不是纠纷编号。")
    return int(fid)


RULES: dict[str, DomainWrites | TableConstraints] = {
    "boundary_dispute": DisputeWrites(),
    "funeral_facility": TableConstraints(
        "type, status and capacity vocabularies are CHECK constraints; the banner follows the position "
        "by trigger; the register's other door (imports) writes the same table under the same constraints"
    ),
}

# the units a feature of each editable table belongs to, as SQL on its id (:id)
UNITS: dict[str, str] = {
    "boundary_dispute": "SELECT parties FROM boundary_dispute WHERE id::text = :id",
    # the banner follows the position (a trigger); the township is an editable attribute
    "funeral_facility": "SELECT ARRAY[county_code] FROM funeral_facility WHERE code::text = :id",
}


async def require_units(db: AsyncSession, table: str, fid: str, user: AppUser) -> None:
    """403 unless the feature (as it stands in this transaction) belongs to a unit within
    the caller's. Accounts of the served unit need no look-up."""
    if not jurisdiction.bounded(user):
        return
    units = await db.scalar(text(UNITS[table]), {"id": fid})
    jurisdiction.require_within(user, units or [], (f"Feature {fid} of {table}", f"{table} 的要素 {fid}"))

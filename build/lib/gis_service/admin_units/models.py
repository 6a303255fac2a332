"""Administrative units with history (GB/T 2260 and NBS codes)."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import Date, DateTime, ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from gis_service.core.db import STORAGE_SRID, Base

LEVELS = ("province", "city", "county", "township", "village")


class AdminUnit(Base):
    """One version of a unit. The current version has valid_to NULL.

    A code change, a boundary change, a merger or an abolition closes the current
    row (valid_to) and, where the unit lives on, opens a new one (valid_from).
    """

    __tablename__ = "admin_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    name_romanized: Mapped[str | None] = mapped_column(Text)
    name_romanized_source: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_from_precision: Mapped[str | None] = mapped_column(String(10))
    valid_to: Mapped[date | None] = mapped_column(Date)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AdminUnitChange(Base):
    """A dated event in a unit's life: created, renamed, recoded, merged, abolished."""

    __tablename__ = "admin_unit_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(Text)
    change_type: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(10))
    related_codes: Mapped[list[str]] = mapped_column(ARRAY(String(12)), default=list)
    authority: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("admin_unit.id"))

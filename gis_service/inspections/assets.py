"""Things in the field that inspectors visit: boundary markers (界桩) and place-name
signs (地名标志). Both keep the same visit record, condition vocabulary, repair orders
and photos, in tables of the same shape; an `InspectedAsset` names those tables so that
one implementation serves both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InspectedAsset:
    noun: str  # used in response keys, e.g. marker_code / sign_code
    label_zh: str
    table: str  # has id, code, geom, condition, condition_observed_at, last_inspection_id
    inspections: str
    fk: str  # the inspection's and repair's column pointing at `table`
    repairs: str
    photos: str  # inspection ↔ photo links
    line_column: str | None = None  # the boundary line an asset stands on, if any
    capability: str = "field_work"  # who visits it and closes its repairs (auth/roles.py)
    # the units an asset belongs to (auth/jurisdiction.py), as SQL on its row `m`: a
    # marker, the units on both sides of its line; a sign, the unit its place lies in
    units_sql: str = "string_to_array(m.line_code, '-')"

    @property
    def code_key(self) -> str:
        return f"{self.noun}_code"


MARKER = InspectedAsset(
    noun="marker",
    label_zh="界桩",
    table="boundary_marker",
    inspections="marker_inspection",
    fk="marker_id",
    repairs="repair_order",
    photos="inspection_photo",
    line_column="line_code",
)
SIGN = InspectedAsset(
    capability="sign_work",
    units_sql="ARRAY(SELECT p.admin_code FROM place_name p WHERE p.id = m.place_name_id)",
    noun="sign",
    label_zh="地名标志",
    table="place_name_sign",
    inspections="sign_inspection",
    fk="sign_id",
    repairs="sign_repair_order",
    photos="sign_inspection_photo",
)

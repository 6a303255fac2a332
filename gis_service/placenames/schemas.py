"""API shapes for the place-name register."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gis_service.core.errors import invalid_value
from gis_service.placenames import name_text
from gis_service.placenames.vocabulary import StageMove, Status

Level = Literal["province", "city", "county", "township", "village", "other"]
ADMIN_CODE = r"^\d{6}(\d{3}(\d{3})?)?$"
WaiverReason = Annotated[
    str | None,
    Field(
        min_length=3,
        max_length=2000,
        description="Save a name that breaks a rule of severity error anyway; the reason is kept in "
        "the version, the audit log and the register's findings",
    ),
]


def _standard_name(value: str | None) -> str | None:
    if value is not None and (problem := name_text.name_problem(value)):
        raise invalid_value(*problem)
    return value


def _mongolian_form(value: str | None) -> str | None:
    if value is not None and (problem := name_text.mongolian_problem(value)):
        raise invalid_value(*problem)
    return value


# A standard name as it may be saved (no blanks, no invisible characters: name_text.py).
StandardName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_standard_name)]
MongolianForm = Annotated[str, Field(max_length=300), AfterValidator(_mongolian_form)]


class PlaceNameFields(BaseModel):
    """Every field of a register record that a person edits (docs/domain.md)."""

    model_config = ConfigDict(extra="forbid")

    name: StandardName | None = None
    specific_part: str | None = Field(default=None, max_length=100)
    generic_part: str | None = Field(default=None, max_length=20)
    romanization: str | None = Field(default=None, max_length=200)
    mongolian_script: MongolianForm | None = None
    origin_language: Literal["zh", "mn", "other", "unknown"] | None = None
    category_code: str | None = Field(default=None, max_length=8)
    level: Level | None = None
    admin_code: str | None = Field(default=None, pattern=ADMIN_CODE)
    geometry: dict | None = Field(default=None, description="GeoJSON Point, LineString or Polygon (lon/lat)")
    location_description: str | None = Field(default=None, max_length=2000)
    meaning: str | None = Field(default=None, max_length=5000)
    origin: str | None = Field(default=None, max_length=5000)
    history: str | None = Field(default=None, max_length=10000)
    former_names: list[str] | None = Field(default=None, max_length=50)
    status: Status | None = None
    approval_body: str | None = Field(default=None, max_length=200)
    approval_document: str | None = Field(default=None, max_length=200)
    approval_date: date | None = None


class PlaceNameCreate(PlaceNameFields):
    name: StandardName
    level: Level
    admin_code: str = Field(pattern=ADMIN_CODE)
    source: str = Field(default="entered by officer", max_length=300)
    reason: str = Field(min_length=1, max_length=2000)
    waiver_reason: WaiverReason = None


class PlaceNameUpdate(PlaceNameFields):
    reason: str = Field(
        min_length=1, max_length=2000, description="Why the record changes (kept in its history)"
    )
    waiver_reason: WaiverReason = None


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    admin_code: str = Field(pattern=ADMIN_CODE)
    category: str | None = Field(default=None, max_length=8)
    level: Level | None = None
    place_name_id: int | None = Field(
        default=None, description="The record being renamed: it is not its own duplicate"
    )


class WaiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class LexiconIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hanzi: str = Field(min_length=1, max_length=30)
    form: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z][A-Za-z' -]*$")
    kind: Literal["root", "name", "suffix"] = Field(
        description="name: a whole official name; root: a word within names; suffix: joins the word before it (图 -tu)"
    )
    source: str = Field(min_length=3, max_length=500)
    language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2,3}$",
        description="ISO 639 code of the language the entry reads (mn, bo, ug …); by default the first"
        " language of the unit served",
    )


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["naming", "renaming", "cancellation"]
    place_name_id: int | None = None
    applicant: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=5000)
    proposal: PlaceNameFields = Field(default_factory=PlaceNameFields)


class AdvanceIn(BaseModel):
    """Move a request to its next stage, with what that stage needs."""

    model_config = ConfigDict(extra="forbid")

    to: StageMove
    note: str | None = Field(default=None, max_length=5000)
    expert_opinion: str | None = Field(default=None, max_length=10000)
    consultation: str | None = Field(default=None, max_length=10000)
    approval_body: str | None = Field(default=None, max_length=200)
    approval_document: str | None = Field(default=None, max_length=200)
    approval_date: date | None = None
    announced_on: date | None = None
    filed_on: date | None = None
    proposal: PlaceNameFields | None = None
    waiver_reason: WaiverReason = None


class SignIn(BaseModel):
    """A place-name sign (地名标志) as installed."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9A-Za-z-]{3,40}$")
    place_name_id: int
    kind: Literal["settlement", "road", "natural", "building", "other"] = "settlement"
    text_zh: str = Field(min_length=1, max_length=100)
    text_mn: str | None = Field(default=None, max_length=300, description="Mongolian script as on the sign")
    romanization: str | None = Field(default=None, max_length=200)
    material: str | None = Field(default=None, max_length=100)
    installed_on: date | None = None
    lon: float = Field(ge=73, le=136)
    lat: float = Field(ge=3, le=54)


class ApprovalRuleIn(BaseModel):
    """Who approves a category of names in this deployment, and on what basis."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["state", "province", "city", "county_or_city", "county"]
    basis_zh: str = Field(min_length=1, max_length=1000, pattern=r"\S")
    basis_en: str = Field(default="", max_length=1000)

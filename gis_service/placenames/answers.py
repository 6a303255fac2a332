"""What the place-name routes answer, as documented in the OpenAPI document
(core/answers.py: documented, not applied at run time)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from gis_service.core.answers import Answer


class ListedName(Answer):
    id: int
    name: str
    romanization: str | None
    level: str
    status: str
    category_code: str | None
    admin_code: str | None
    unit_code: str | None
    admin_name: str | None
    located: bool | None = None
    lon: float | None = None
    lat: float | None = None
    match: str | None = None
    bbox: list[float] | None = None


class NameList(Answer):
    """A page of the register (`next_after` is the cursor of the next page), or, with `q`,
    the best matches for the query."""

    results: list[ListedName]
    next_after: int | None = None
    query: str | None = None


class PlaceNameProperties(Answer):
    id: int
    name: str
    specific_part: str | None
    generic_part: str | None
    romanization: str | None
    mongolian_script: str | None
    category_code: str | None
    level: str
    admin_code: str | None
    unit_code: str | None
    status: str
    version: int
    former_names: list[Any] | None = None
    approval_body: str | None = None
    approval_document: str | None = None
    approval_date: date | None = None


class PlaceNameFeature(Answer):
    """One record as a GeoJSON Feature (its point, null while unlocated), with its
    version for If-Match."""

    type: str
    id: int
    geometry: dict | None
    properties: PlaceNameProperties


class RecordAsOf(Answer):
    """With `as_of`: the record's fields as that version stored them, and the version."""

    id: int
    name: str
    version: int
    valid_from: datetime
    valid_to: datetime | None
    changed_by: str | None
    reason: str | None


class Version(Answer):
    version: int
    valid_from: datetime
    valid_to: datetime | None
    changed_by: str | None
    reason: str | None
    diff: dict | None


class History(Answer):
    id: int
    versions: list[Version]


class Romanization(Answer):
    name: str
    languages: list[str]
    romanization: str
    candidates: list[str]
    review: list[Any]


class Finding(Answer):
    id: int | None = None
    rule: str
    severity: str
    message: str
    suggestion: str | None = None
    message_zh: str | None = None
    suggestion_zh: str | None = None


class CheckResult(Answer):
    name: str
    findings: list[Finding]


class Rule(Answer):
    rule: str
    description: str


class Rules(Answer):
    rules: list[Rule]


class Category(Answer):
    code: str
    name_zh: str
    name_en: str | None
    parent_code: str | None
    generics: list[str] | None
    level: str | None
    note: str | None


class Categories(Answer):
    categories: list[Category]


class LexiconEntry(Answer):
    hanzi: str
    form: str
    kind: str
    language: str
    source: str | None
    updated_by: str | None = None
    updated_at: datetime | None = None


class Lexicon(Answer):
    entries: list[LexiconEntry]


class BannerCount(Answer):
    code: str | None
    name: str | None
    open: int


class AuditSummary(Answer):
    open: int
    by_rule: dict[str, int]
    by_banner: list[BannerCount]


class AuditRun(AuditSummary):
    names_checked: int
    new: int
    resolved: int


class RegisterFinding(Finding):
    id: int
    place_name_id: int
    name: str
    status: str
    waiver_reason: str | None
    closed_by: str | None
    closed_at: datetime | None
    found_at: datetime


class Findings(Answer):
    findings: list[RegisterFinding]


class StatusChange(Answer):
    """A finding or suggestion after its decision."""

    id: int
    status: str


class ApprovalOf(Answer):
    """Who approves the name (placenames/approval.py): the level, the approving unit in the
    deployment, and the basis in the Regulations."""

    level: str
    unit: str
    basis_zh: str
    basis_en: str


class ApprovalRule(Answer):
    category_code: str
    name_zh: str | None
    name_en: str | None
    level: str
    basis_zh: str
    basis_en: str
    edited: bool


class ApprovalRules(Answer):
    rules: list[ApprovalRule]


class NamingRequest(Answer):
    id: int
    kind: str
    place_name_id: int | None
    stage: str
    proposal: dict | None
    applicant: str
    reason: str
    approval_body: str | None = None
    approval_document: str | None = None
    approval_date: date | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    events: list[Any] | None = None
    approval: ApprovalOf
    next_step_by: str
    yours: bool


class NamingRequests(Answer):
    requests: list[NamingRequest]


class Suggestion(Answer):
    id: int
    place_name_id: int
    name: str
    admin_code: str | None
    matched_name: str
    method: str
    source: str
    status: str
    lon: float
    lat: float
    decided_by: str | None
    decided_at: datetime | None


class Suggestions(Answer):
    suggestions: list[Suggestion]


class SuggestionRun(Answer):
    added: int


class ImportResult(Answer):
    created: int
    updated: int


class Sign(Answer):
    """A place-name sign with its condition and the check of its text against the
    register (`findings`)."""

    code: str
    kind: str
    text_zh: str
    text_mn: str | None
    romanization: str | None
    material: str | None
    installed_on: date | None
    condition: str
    condition_observed_at: datetime | None
    source: str | None
    lon: float
    lat: float
    place_name_id: int
    place_name: str
    open_repair_id: int | None
    findings: list[Finding]


class Signs(Answer):
    signs: list[Sign]

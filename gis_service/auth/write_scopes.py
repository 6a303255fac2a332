"""How far an account's unit reaches in every route that writes: the one table of it.
The rule itself is auth/jurisdiction.py; this says, for each write, which units it is
checked against and where. tests/auth/test_write_scopes.py holds every write route of the
OpenAPI document to an entry here, and tries each with accounts of the record's own unit,
of the unit above it and below it, and of a neighbouring unit; the service refuses to
start with a write route missing from it.

- RECORD: one of the record's units must lie within the account's unit (checked in the
  service function named, where the record's units are known), so a banner's account
  works on the banner's records and the city's on every record of the city.
- DEPLOYMENT: work on the deployment as a whole (its registers, settings and runs over
  every record): accounts of the served unit only (the route's `WholeDeployment`).
- OWN: the caller's own account, or a record the caller made (checked by the service).
- NONE: nothing of a unit is written (signing in; reads sent as POST).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reach(StrEnum):
    RECORD = "record"
    DEPLOYMENT = "deployment"
    OWN = "own"
    NONE = "none"


@dataclass(frozen=True)
class Scope:
    reach: Reach
    units: str  # which units, and where the check is (or why there is none)


def record(units: str) -> Scope:
    return Scope(Reach.RECORD, units)


def deployment(why: str) -> Scope:
    return Scope(Reach.DEPLOYMENT, why)


OWN_VISIT = Scope(Reach.OWN, "the visit's own inspector (inspections/service)")

WRITES: dict[tuple[str, str], Scope] = {
    # accounts
    ("POST", "/api/v1/auth/token"): Scope(Reach.NONE, "signing in"),
    ("POST", "/api/v1/auth/password"): Scope(Reach.OWN, "one's own password"),
    ("POST", "/api/v1/auth/logout"): Scope(Reach.OWN, "one's own sign-in"),
    ("POST", "/api/v1/auth/invitation/lookup"): Scope(Reach.NONE, "a read of whom a link is for"),
    ("POST", "/api/v1/auth/invitation"): Scope(Reach.OWN, "one's own password, through one's invitation"),
    ("POST", "/api/v1/users/{username}/invitation"): record("the account's unit (auth/service.managed_user)"),
    ("POST", "/api/v1/users"): record("the new account's unit (auth/service._check_unit)"),
    ("PATCH", "/api/v1/users/{username}"): record(
        "the account's unit, old and new (auth/service.managed_user)"
    ),
    ("POST", "/api/v1/users/{username}/revoke-tokens"): record(
        "the account's unit (auth/service.managed_user)"
    ),
    # layers through the OGC API
    ("POST", "/ogc/collections/{layer_id}/items"): record(
        "the new feature's units (ogc/edit_rules.UNITS, checked in ogc/transactions)"
    ),
    ("PUT", "/ogc/collections/{layer_id}/items/{feature_id}"): record(
        "the feature's units before and after (ogc/edit_rules.UNITS)"
    ),
    ("PATCH", "/ogc/collections/{layer_id}/items/{feature_id}"): record(
        "the feature's units before and after (ogc/edit_rules.UNITS)"
    ),
    ("DELETE", "/ogc/collections/{layer_id}/items/{feature_id}"): record(
        "the feature's units (ogc/edit_rules.UNITS)"
    ),
    # units and boundary lines
    ("PATCH", "/api/v1/admin-units/{code}"): deployment("the register of units is the served unit's"),
    ("POST", "/api/v1/boundary-lines/derive"): deployment("every line of the deployment"),
    ("PUT", "/api/v1/boundary-lines/{code}/geometry"): deployment(
        "a line's surveyed course is approved above it"
    ),
    ("PUT", "/api/v1/boundary-lines/{code}/geometry/file"): deployment("as the geometry"),
    # markers, visits, repairs, smart markers
    ("POST", "/api/v1/markers/import"): deployment("a table of markers of any line"),
    ("POST", "/api/v1/markers/{code}/inspections"): record(
        "the marker's line's two sides (inspections/service.record_inspection)"
    ),
    ("POST", "/api/v1/inspections/{inspection_id}/photos"): OWN_VISIT,
    ("PATCH", "/api/v1/markers/{code}/inspections/{inspection_id}"): OWN_VISIT,
    ("POST", "/api/v1/repairs/{repair_id}/assign"): record(
        "the marker's line's sides, for the assigner and the assignee (inspections/service.assign_repair)"
    ),
    ("POST", "/api/v1/repairs/{repair_id}/close"): record(
        "the marker's line's sides, or the assignee (inspections/service.close_repair)"
    ),
    ("POST", "/api/v1/markers/{code}/telemetry"): record(
        "the marker's line's sides (markers/telemetry.record_reading)"
    ),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): record(
        "the alert's marker's line's sides (markers/telemetry.acknowledge)"
    ),
    # joint inspections
    ("POST", "/api/v1/joint-inspections"): record(
        "the line's two sides (joint_inspections/service.create_round)"
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/findings"): record(
        "the side acted for (joint_inspections/parties.acting_side)"
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/signatures"): record(
        "the side signed for (joint_inspections/parties.acting_side)"
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/tracks"): record(
        "the line's two sides (joint_inspections/tracks)"
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/complete"): record(
        "the line's two sides (joint_inspections/service.complete_round)"
    ),
    # disputes
    ("POST", "/api/v1/disputes"): record("the parties' units (disputes/service.create)"),
    ("POST", "/api/v1/disputes/{dispute_id}/events"): record(
        "the parties' units (disputes/service.add_event)"
    ),
    # place names
    ("POST", "/api/v1/place-names"): record("the name's unit (placenames/service.create)"),
    ("POST", "/api/v1/place-names/check"): Scope(Reach.NONE, "a check that stores nothing"),
    ("PUT", "/api/v1/place-names/lexicon"): deployment("the lexicon serves every unit"),
    ("POST", "/api/v1/place-names/audit"): deployment("an audit of the whole register"),
    ("POST", "/api/v1/place-names/findings/{finding_id}/resolve"): record(
        "the finding's name's unit (placenames/findings.close)"
    ),
    ("POST", "/api/v1/place-names/findings/{finding_id}/waive"): record(
        "the finding's name's unit (placenames/findings.close)"
    ),
    ("POST", "/api/v1/place-names/requests"): record(
        "the proposed or the named place's unit (placenames/procedure.create)"
    ),
    ("POST", "/api/v1/place-names/requests/{request_id}/advance"): record(
        "the place's unit while the request is prepared, the approving unit from approval on"
        " (placenames/approval.require_step)"
    ),
    ("PUT", "/api/v1/place-names/approval-rules/{category_code}"): deployment(
        "the deployment's approval table"
    ),
    ("POST", "/api/v1/place-names/location-suggestions/run"): deployment("a run over the whole register"),
    ("POST", "/api/v1/place-names/location-suggestions/{suggestion_id}/{decision}"): record(
        "the suggestion's name's unit (placenames/locate.decide)"
    ),
    ("POST", "/api/v1/place-names/import"): record("each row's unit (placenames/service.create, update)"),
    ("PATCH", "/api/v1/place-names/{place_id}"): record(
        "the name's unit, before and after (placenames/service.update)"
    ),
    # the register's yearly update
    ("POST", "/api/v1/register/editions"): deployment("an edition is read against the whole register"),
    ("POST", "/api/v1/register/changes/{change_id}/decision"): record(
        "the change's banner (register_update/service.decide)"
    ),
    # place-name signs
    ("POST", "/api/v1/place-name-signs"): record("the sign's place's unit (placenames/signs.create)"),
    ("POST", "/api/v1/place-name-signs/{code}/inspections"): record(
        "the sign's place's unit (inspections/service.record_inspection)"
    ),
    ("POST", "/api/v1/sign-inspections/{inspection_id}/photos"): OWN_VISIT,
    ("PATCH", "/api/v1/place-name-signs/{code}/inspections/{inspection_id}"): OWN_VISIT,
    ("POST", "/api/v1/sign-repairs/{repair_id}/assign"): record(
        "the sign's place's unit, for the assigner and the assignee (inspections/service.assign_repair)"
    ),
    ("POST", "/api/v1/sign-repairs/{repair_id}/close"): record(
        "the sign's place's unit, or the assignee (inspections/service.close_repair)"
    ),
    # funeral planning
    ("POST", "/api/v1/funeral/import/{kind}"): deployment("the city's facility and grave registers"),
    ("PUT", "/api/v1/funeral/corridor-classes/{corridor_class}"): deployment("the city's planning rules"),
    ("POST", "/api/v1/funeral/classify"): deployment("every grave of the deployment"),
    ("POST", "/api/v1/funeral/graves/{code}/remediation"): record(
        "the grave's township and county (funeral/service.record_remediation)"
    ),
    # offline areas: reads sent as POST (the area's rectangle and layers in the body)
    ("POST", "/api/v1/offline-areas/manifest"): Scope(Reach.NONE, "a read"),
    ("POST", "/api/v1/offline-areas/records"): Scope(Reach.NONE, "a read"),
    ("POST", "/api/v1/offline-areas/tiles"): Scope(
        Reach.NONE, "a read (each tile through its layer's read scope)"
    ),
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_routes(routes) -> list:
    """Every API route, also those of routers included as a whole (`original_router`)."""
    found, stack = [], list(routes)
    while stack:
        route = stack.pop(0)
        if hasattr(route, "original_router"):
            stack[:0] = list(route.original_router.routes)
        elif getattr(route, "methods", None):
            found.append(route)
    return found


def unscoped(routes) -> list[str]:
    """The write routes ("METHOD path") with no entry in WRITES."""
    return sorted(
        f"{method} {route.path}"
        for route in api_routes(routes)
        for method in route.methods
        if method in WRITE_METHODS and (method, route.path) not in WRITES
    )

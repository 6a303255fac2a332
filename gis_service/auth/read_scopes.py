"""How far an account's unit reaches in every route that reads: the one table of it, as
auth/write_scopes.py is for writes. With READ_SCOPE=deployment (the default) every account
reads the whole deployment; with READ_SCOPE=unit an account of a unit within the served
one reads what it may write: the records of its unit and below. The rule is
auth/jurisdiction.read_prefix; this says, for each read, where it is applied. The service
refuses to start with a read route missing from the table, and tests/auth/test_read_scopes.py
reads every limited route of the OpenAPI document as a banner's account in unit mode.

- LAYER: a catalogue layer, read as the caller reads it (catalogue LayerDeclaration.read_by:
  the layer's `unit_columns`), through every door: items, one item, tiles, exports, the
  OGC API and offline areas. A layer without unit columns is reference, read whole.
- RECORD: lists keep, and a record outside answers 404 for, the records whose units lie
  outside the caller's; checked in the service function named (`within`).
- AREA: a planner's figures for one unit (auth/areas.py): the caller's own by default, and
  in unit mode no unit beyond it.
- ACCOUNT: the caller's own account, or accounts an administrator manages (their unit's
  subtree), in every mode.
- REFERENCE: the same for everyone: vocabularies, rules, the register of units and its
  boundaries, the base map, the service's description and pages.
"""

from __future__ import annotations

from enum import StrEnum

from gis_service.auth.write_scopes import api_routes


class ReadReach(StrEnum):
    LAYER = "layer"
    RECORD = "record"
    AREA = "area"
    ACCOUNT = "account"
    REFERENCE = "reference"


LAYER, AREA, ACCOUNT = ReadReach.LAYER, ReadReach.AREA, ReadReach.ACCOUNT


def record(where: str) -> tuple[ReadReach, str]:
    return (ReadReach.RECORD, where)


def reference(what: str) -> tuple[ReadReach, str]:
    return (ReadReach.REFERENCE, what)


MARKER_LINE = "the marker's line's two sides"
PLACE_UNIT = "the place's unit"

READS: dict[str, tuple[ReadReach, str] | ReadReach] = {
    # the service itself and its pages
    "/healthz": reference("the service's health"),
    "/readyz": reference("the service's readiness"),
    "/metrics": reference("the monitoring system's, by token or address"),
    "/openapi.json": reference("the API's description"),
    "/docs": reference("the API's description"),
    "/": reference("the app's page"),
    "/map": reference("the app's page"),
    "/planner": reference("the planners' page; its figures are AREA reads"),
    "/sw.js": reference("the app's offline worker"),
    "/manifest.webmanifest": reference("the app's manifest"),
    "/trust": reference("the deployment's certificate"),
    "/trust/root.crt": reference("the deployment's certificate"),
    "/api/v1/map-config": ACCOUNT,
    # accounts
    "/api/v1/auth/me": ACCOUNT,
    "/api/v1/users": ACCOUNT,
    "/api/v1/users/{username}": ACCOUNT,
    # the catalogue and the OGC API
    "/api/v1/layers": reference("the layers' declarations"),
    "/api/v1/layers/{layer_id}": reference("a layer's declaration"),
    "/api/v1/layers/{layer_id}/items": LAYER,
    "/api/v1/layers/{layer_id}/items/{feature_id}": LAYER,
    "/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}": LAYER,
    "/api/v1/layers/{layer_id}/export.{fmt}": LAYER,
    "/ogc/collections/{layer_id}/tiles/WebMercatorQuad/tilejson.json": reference("a tile set's description"),
    "/ogc": reference("the landing page"),
    "/ogc/": reference("the landing page"),
    "/ogc/api": reference("the API's description"),
    "/ogc/conformance": reference("the conformance classes"),
    "/ogc/collections": reference("the collections' descriptions"),
    "/ogc/collections/{layer_id}": reference("a collection's description"),
    "/ogc/collections/{layer_id}/queryables": reference("a collection's queryables"),
    "/ogc/collections/{layer_id}/schema": reference("a collection's schema"),
    "/ogc/collections/{layer_id}/items": LAYER,
    "/ogc/collections/{layer_id}/items/{feature_id}": LAYER,
    "/ogc/tileMatrixSets": reference("the tile grids"),
    "/ogc/tileMatrixSets/{tms}": reference("a tile grid"),
    "/ogc/tiles": reference("the tile sets' descriptions"),
    "/ogc/tiles/{tms}": reference("a tile set's description"),
    "/ogc/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}": LAYER,
    "/ogc/collections/{layer_id}/tiles": reference("a collection's tile sets"),
    "/ogc/collections/{layer_id}/tiles/{tms}": reference("a collection's tile set"),
    "/ogc/collections/{layer_id}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}": LAYER,
    # the base map and the register of units
    "/basemap/tilejson.json": reference("the base map"),
    "/basemap/tiles/{z}/{x}/{y}": reference("the base map"),
    "/basemap/labels.geojson": reference("the base map"),
    "/api/v1/admin-units": reference("the register of units"),
    "/api/v1/admin-units/{code}": reference("the register of units"),
    # boundary lines, markers, visits, repairs, smart markers, photos
    "/api/v1/boundary-lines": LAYER,
    "/api/v1/boundary-lines/vectorisation-rate": record(
        "the lines counted (boundaries/service.vectorisation_rate)"
    ),
    "/api/v1/boundary-lines/derive/{job_id}": reference("a derivation job's status and counts"),
    "/api/v1/boundary-lines/{code}": record("the line's two sides (boundaries/service.get_line)"),
    "/api/v1/markers": LAYER,
    "/api/v1/markers/summary": record(f"the markers counted: {MARKER_LINE} (markers/service.summary)"),
    "/api/v1/markers/nearest": record(f"{MARKER_LINE} (markers/service.nearest)"),
    "/api/v1/markers/conditions": reference("the condition vocabulary"),
    "/api/v1/markers/{code}": record(f"{MARKER_LINE} (markers/service.marker_card)"),
    "/api/v1/markers/{code}/inspections": record(f"{MARKER_LINE} (inspections/service.inspection_history)"),
    "/api/v1/repairs": record(f"{MARKER_LINE} (inspections/service.list_repairs)"),
    "/api/v1/alerts": record(f"the alert's marker: {MARKER_LINE} (markers/telemetry.list_alerts)"),
    "/api/v1/photos/{sha256}": record(
        "a visit's or a remediation's record, or one's own upload (photos/records.readable)"
    ),
    # joint inspections
    "/api/v1/joint-inspections/due": record("the line's two sides (joint_inspections/service.due_list)"),
    "/api/v1/joint-inspections": record("the round's line (joint_inspections/service.list_rounds)"),
    "/api/v1/joint-inspections/{round_id}": record(
        "the round's line (joint_inspections/service.round_report)"
    ),
    "/api/v1/joint-inspections/{round_id}/tracks": record(
        "the round's line; then its parties and the line's administrators (joint_inspections/tracks.as_geojson)"
    ),
    "/api/v1/joint-inspections/{round_id}/report.{fmt}": record(
        "the round's line (joint_inspections/service.round_report)"
    ),
    # disputes
    "/api/v1/disputes": LAYER,
    "/api/v1/disputes/{dispute_id}": record("the parties' units (disputes/service.get)"),
    # place names
    "/api/v1/place-names": record(f"{PLACE_UNIT} (placenames/search.search, listing)"),
    "/api/v1/place-names/romanize": reference("romanisation of a text"),
    "/api/v1/place-names/rules": reference("the naming rules"),
    "/api/v1/place-names/categories": reference("the category vocabulary"),
    "/api/v1/place-names/lexicon": reference("the lexicon"),
    "/api/v1/place-names/audit": record(f"the findings counted: {PLACE_UNIT} (placenames/findings.summary)"),
    "/api/v1/place-names/findings": record(f"{PLACE_UNIT} (placenames/findings.list_findings)"),
    "/api/v1/place-names/requests": record(
        "the place's or the approving unit (placenames/procedure.list_requests)"
    ),
    "/api/v1/place-names/approval-rules": reference("the approval table"),
    "/api/v1/place-names/requests/{request_id}": record(
        "the place's or the approving unit (placenames/procedure.described)"
    ),
    "/api/v1/place-names/location-suggestions": record(f"{PLACE_UNIT} (placenames/locate.list_suggestions)"),
    "/api/v1/place-names/export": record(
        "the units exported: the caller's or one within it (placenames/router)"
    ),
    "/api/v1/place-names/{place_id}": record(f"{PLACE_UNIT} (placenames/service.get, as_of)"),
    "/api/v1/place-names/{place_id}/history": record(f"{PLACE_UNIT} (placenames/service.history)"),
    "/api/v1/place-name-signs": record(f"{PLACE_UNIT} (placenames/signs.list_signs)"),
    "/api/v1/place-name-signs/{code}": record(f"{PLACE_UNIT} (placenames/signs.get)"),
    "/api/v1/place-name-signs/{code}/inspections": record(
        f"{PLACE_UNIT} (inspections/service.inspection_history)"
    ),
    "/api/v1/sign-repairs": record(f"{PLACE_UNIT} (inspections/service.list_repairs)"),
    # funeral planning
    "/api/v1/funeral/vocabulary": reference("the funeral vocabularies"),
    "/api/v1/funeral/corridor-classes": reference("the planning rules"),
    "/api/v1/funeral/classification/summary": record("the graves counted (funeral/classification.summary)"),
    "/api/v1/funeral/graves/points": record("the grave's county (funeral/service.grave_points)"),
    "/api/v1/funeral/graves/{code}": record("the grave's county (funeral/service.grave_card)"),
    "/api/v1/funeral/progress": AREA,
    "/api/v1/funeral/progress/targets": AREA,
    "/api/v1/funeral/coverage/official": AREA,
    "/api/v1/funeral/coverage/distance": AREA,
    "/api/v1/funeral/coverage/suggested-sites": AREA,
    "/api/v1/funeral/planner-map.html": AREA,
    "/api/v1/funeral/report.html": AREA,
    "/api/v1/indicators": AREA,
    # the register's yearly update
    "/api/v1/register/editions": reference("the editions read and their totals"),
    "/api/v1/register/editions/{edition_id}": reference("an edition and its totals"),
    "/api/v1/register/editions/{edition_id}/changes": record(
        "the change's banner (register_update/service.changes)"
    ),
    "/api/v1/register/editions/{edition_id}/report.{fmt}": AREA,
    "/api/v1/register/same-names": record(
        "AREA, and the scope compared within (register_update/router.shared_names)"
    ),
}


def unscoped(routes) -> list[str]:
    """The read routes (paths answering GET) with no entry in READS."""
    return sorted({route.path for route in api_routes(routes) if "GET" in route.methods} - set(READS))

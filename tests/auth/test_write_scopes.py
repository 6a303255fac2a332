"""Every write route of the OpenAPI document against auth/write_scopes.py, generated from
the document: a route without a scope fails here (and the service will not start).

Each RECORD route is tried on a record of four relations to the caller's unit, with an
account of a role that may do it otherwise:
- own: a Dalad Banner account on a record of Dalad (allowed);
- child: an account of the city (Ordos, the served unit) on a record of Dalad (allowed);
- parent: a Dalad account on a record of the city or above (refused: 403);
- sibling: a Dalad account on a record of Dongsheng District (refused: 403).
Each DEPLOYMENT route is refused to a Dalad account and allowed to the city's. The role
of the caller is the role matrix's business (test_role_matrix.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from gis_service.auth.dependencies import _within_deployment
from gis_service.auth.write_scopes import WRITE_METHODS, WRITES, Reach, api_routes
from tests.auth.routes import dependency_calls
from tests.auth.test_role_matrix import _path
from tests.names import unique_specific

DALAD, DONGSHENG, CITY = "150621", "150602", "150600"
RELATIONS = ("own", "child", "parent", "sibling")
ALLOWED = {"own", "child"}
LINES = {"own": f"{DONGSHENG}-{DALAD}", "parent": "150000-610000", "sibling": f"{DONGSHENG}-150603"}
PARTIES = {"own": [DALAD, DONGSHENG], "parent": ["150000", "610000"], "sibling": [DONGSHENG, "150603"]}
UNITS = {"own": DALAD, "parent": CITY, "sibling": DONGSHENG}


def _record_relation(relation: str) -> str:
    """The record the relation is about: a child relation is the city's account on Dalad's."""
    return "own" if relation == "child" else relation


def test_every_write_route_has_a_scope(app):
    document = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    }
    assert document == set(WRITES), "add the route to auth/write_scopes.py (or remove a stale entry)"


def test_deployment_routes_and_only_they_admit_the_served_units_accounts_alone(app):
    wrong = []
    for route in api_routes(app.routes):
        for method in route.methods & WRITE_METHODS:
            declared = _within_deployment in set(dependency_calls(route.dependant))
            if declared != (WRITES[method, route.path].reach is Reach.DEPLOYMENT):
                wrong.append(f"{method} {route.path}")
    assert wrong == [], "a DEPLOYMENT scope and the route's dependencies=[WholeDeployment] go together"


@pytest.fixture(scope="module")
def accounts(banner_account):
    """relation, role -> headers: the city's account for a child relation, else Dalad's."""
    return lambda relation, role: banner_account(role, CITY if relation == "child" else DALAD)


def test_deployment_work_is_the_served_units(client, app, accounts):
    wrong = []
    for (method, path), scope in sorted(WRITES.items()):
        if scope.reach is not Reach.DEPLOYMENT:
            continue
        route = next(r for r in api_routes(app.routes) if r.path == path and method in r.methods)
        for relation, refused in (("own", True), ("child", False)):  # Dalad's admin, the city's
            r = client.request(method, _path(route), json={}, headers=accounts(relation, "admin"))
            if (r.status_code == 403) != refused or (refused and "whole deployment" not in r.text):
                wrong.append(f"{method} {path} by {relation}: {r.status_code} {r.text[:120]}")
    assert wrong == [], "\n".join(wrong)


# -- the records, one per relation -----------------------------------------------------
def _one(db, sql: str, *args):
    row = db.execute(sql, args or None).fetchone()
    assert row, sql
    return row[0]


# the markers of a line of Dalad, of a line of the province (above the city), of a line
# between two other banners
MARKER_LINES = {
    "own": f"line_code LIKE '%{DALAD}%'",
    "parent": "line_code NOT LIKE '%1506%'",
    "sibling": f"line_code LIKE '1506%-1506%' AND line_code NOT LIKE '%{DALAD}%'",
}


def _marker(db, relation: str, *, undamaged: bool = False) -> str:
    """A marker of the relation's line; `undamaged`: one with no open repair, taken from the
    end of the list, away from the first markers other tests use."""
    where = MARKER_LINES[_record_relation(relation)]
    if relation == "parent":  # the demo places markers on county lines only: one on the province's
        db.execute("""
            INSERT INTO boundary_marker (code, line_code, seq, type_suffix, marker_type, geom, gk_zone, gk_x, gk_y,
                                         source)
            SELECT l.code || '-' || n.seq || 'Q', l.code, n.seq, 'Q', 'single',
                   ST_LineInterpolatePoint(ST_GeometryN(l.geom, 1), 0.5), 0, 0, 0, 'test'
            FROM boundary_line l,
                 (SELECT coalesce(max(seq), 900) + 1 AS seq FROM boundary_marker WHERE line_code = '150000-610000') n
            WHERE l.code = '150000-610000' AND l.valid_to IS NULL""")
        return _one(db, f"SELECT code FROM boundary_marker WHERE {where} ORDER BY seq DESC LIMIT 1")
    if undamaged:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM repair_order o WHERE o.marker_id = m.id AND o.status = 'open')"
        )
    return _one(
        db,
        f"SELECT code FROM boundary_marker m WHERE {where} ORDER BY code {'DESC' if undamaged else ''} LIMIT 1",
    )


def _place(db, relation: str) -> int:
    unit = UNITS[_record_relation(relation)]
    if unit == CITY:
        return _one(db, "SELECT id FROM place_name WHERE admin_code = %s ORDER BY id LIMIT 1", CITY)
    return _one(
        db,
        "SELECT id FROM place_name WHERE level = 'village' AND admin_code LIKE %s ORDER BY id LIMIT 1",
        unit + "%",
    )


def _sign(db, relation: str) -> str:
    code = "SCOPE-" + uuid.uuid4().hex[:10]
    db.execute(
        "INSERT INTO place_name_sign (code, place_name_id, text_zh, geom)"
        " SELECT %s, p.id, p.name, ST_SetSRID(ST_MakePoint(109.9, 39.9), 4490) FROM place_name p WHERE p.id = %s",
        (code, _place(db, relation)),
    )
    return code


def _inside(db, relation: str) -> tuple[float, float]:
    """A point of the relation's county, or for the parent one outside the city's counties."""
    unit = UNITS[_record_relation(relation)]
    if unit == CITY:
        return 108.95, 34.27  # Xi'an: no county of the deployment
    return tuple(
        db.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_unit"
            " WHERE code = %s AND valid_to IS NULL) q",
            (unit,),
        ).fetchone()
    )


def _facility(db, relation: str) -> str:
    """A funeral facility at a point of the relation's county (the banner follows by trigger)."""
    code = "SCOPE-" + uuid.uuid4().hex[:10]
    lon, lat = _inside(db, relation)
    db.execute(
        "INSERT INTO funeral_facility (code, name, facility_type, status, geom)"
        " VALUES (%s, '测试公墓', 'public_cemetery', 'planned', ST_SetSRID(ST_MakePoint(%s, %s), 4490))",
        (code, lon, lat),
    )
    return code


def _grave(db, relation: str) -> str:
    """A grave of the relation's county, where a surveyed grave lies in no restricted
    corridor or zone (so that its classification, none, is already right)."""
    code = "SCOPE-" + uuid.uuid4().hex[:10]
    unit = {"own": DALAD, "parent": None, "sibling": DONGSHENG}[_record_relation(relation)]
    db.execute(
        "INSERT INTO grave (code, geom, kind, county_code, surveyed_on, source)"
        " SELECT %s, g.geom, 'scattered', %s, '2024-01-01', 'test' FROM grave g"
        " WHERE NOT EXISTS (SELECT 1 FROM grave_restriction r WHERE r.grave_id = g.id) ORDER BY g.id LIMIT 1",
        (code, unit),
    )
    return code


def _finding(db, relation: str) -> int:
    return _one(
        db,
        "INSERT INTO place_name_finding (place_name_id, rule, severity, message)"
        " VALUES (%s, 'scope_test', 'review', %s) RETURNING id",
        _place(db, relation),
        uuid.uuid4().hex,
    )


def _suggestion(db, relation: str) -> int:
    return _one(
        db,
        "INSERT INTO place_name_location_suggestion (place_name_id, geom, matched_name, method, source)"
        " VALUES (%s, ST_SetSRID(ST_MakePoint(109.9, 39.9), 4490), %s, 'test', 'test') RETURNING id",
        _place(db, relation),
        uuid.uuid4().hex,
    )


def _register_change(db, relation: str) -> int:
    """A change of an edition of the division codes in the relation's county (or the city's)."""
    edition = _one(
        db,
        "INSERT INTO register_edition (label, source_kind, checksum, home_code, units, loaded_by)"
        " VALUES ('scope test edition', 'table', %s, '150600', 1, 'test') RETURNING id",
        uuid.uuid4().hex,
    )
    county = UNITS[_record_relation(relation)]
    return _one(
        db,
        "INSERT INTO register_change (edition_id, kind, level, new_code, new_name, new_standard, new_parent,"
        " county_code, township_code) VALUES (%s, 'new', 'village', %s, '测试村民委员会', '测试村', %s, %s, %s)"
        " RETURNING id",
        edition,
        county + "999999",
        county + "999",
        county,
        county + "999",
    )


def _unit_code(relation: str) -> str:
    """Where a new name of the relation lies: a township code of the banner, or the city."""
    unit = UNITS[_record_relation(relation)]
    return unit if unit == CITY else unit + "001"


def _visit(condition: str = "intact") -> dict:
    return {"id": str(uuid.uuid4()), "condition": condition, "observed_at": datetime.now(UTC).isoformat()}


class Records:
    """Records made by the served unit's accounts, for a relation each."""

    def __init__(self, client, auth, db):
        self.client, self.auth, self.db = client, auth, db

    def repair(self, relation: str, asset: str) -> int:
        """A new open repair order of the relation's marker or sign."""
        if asset == "marker":
            path = f"/api/v1/markers/{_marker(self.db, relation, undamaged=True)}/inspections"
        else:
            path = f"/api/v1/place-name-signs/{_sign(self.db, relation)}/inspections"
        r = self.client.post(path, json=_visit("damaged"), headers=self.auth("inspector"))
        assert r.status_code == 201 and r.json()["repair_order_id"], r.text
        return r.json()["repair_order_id"]

    def round(self, relation: str, *, signed: bool = False) -> int:
        line = LINES[_record_relation(relation)]
        body = {"line_code": line, "planned_on": str(date.today())}
        r = self.client.post("/api/v1/joint-inspections", json=body, headers=self.auth("inspector"))
        assert r.status_code == 201, r.text
        round_id = r.json()["id"]
        for side in line.split("-") if signed else ():
            signature = {"side": side, "signer_name": "代表"}
            r = self.client.post(
                f"/api/v1/joint-inspections/{round_id}/signatures",
                json=signature,
                headers=self.auth("inspector"),
            )
            assert r.status_code == 201, r.text
        return round_id

    def dispute(self, relation: str) -> int:
        r = self.client.post("/api/v1/disputes", json=_dispute(relation), headers=self.auth("inspector"))
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def alert(self, relation: str) -> int:
        code = _marker(self.db, relation)
        reading = {"observed_at": datetime.now(UTC).isoformat(), "tilt_deg": 45}
        r = self.client.post(
            f"/api/v1/markers/{code}/telemetry", json=reading, headers=self.auth("inspector")
        )
        assert r.status_code == 201, r.text
        return _one(
            self.db,
            "SELECT a.id FROM marker_alert a JOIN boundary_marker m ON m.id = a.marker_id"
            " WHERE m.code = %s AND a.acknowledged_at IS NULL ORDER BY a.id DESC LIMIT 1",
            code,
        )

    def naming_request(self, relation: str) -> int:
        body = {
            "kind": "naming",
            "applicant": "x",
            "reason": "y",
            "proposal": {
                "name": f"{unique_specific()}村",
                "level": "village",
                "admin_code": _unit_code(relation),
            },
        }
        r = self.client.post(
            "/api/v1/place-names/requests", json=body, headers=self.auth("placename_officer")
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def account(self, relation: str) -> str:
        name = f"scoped_{uuid.uuid4().hex[:8]}"
        unit = {"own": DALAD, "parent": None, "sibling": DONGSHENG}[_record_relation(relation)]
        body = {"username": name, "role": "viewer", "password": uuid.uuid4().hex, "unit_code": unit}
        assert self.client.post("/api/v1/users", json=body, headers=self.auth("admin")).status_code == 201
        return name


def _dispute(relation: str) -> dict:
    return {
        "title": f"界线争议 {unique_specific()}",
        "parties": PARTIES[_record_relation(relation)],
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[109.9, 39.9], [109.91, 39.9], [109.91, 39.91], [109.9, 39.9]]],
        },
        "opened_on": str(date.today()),
    }


# -- one probe per RECORD route: (role, call(client, headers, records, relation)) -----------
# An account outside the administrator's units is not disclosed: refused with 404.
UNDISCLOSED = {
    ("PATCH", "/api/v1/users/{username}"),
    ("POST", "/api/v1/users/{username}/revoke-tokens"),
    ("POST", "/api/v1/users/{username}/invitation"),
}


def _etag_patch(client, headers, url: str, body: dict):
    etag = client.get(url, headers=headers).headers["etag"]
    return client.patch(url, json=body, headers=headers | {"If-Match": etag})


def _repair_probe(asset: str, action: str):
    """Assigning (by an administrator) or closing (by an inspector) a new repair of the
    relation's marker or sign."""
    prefix = "repairs" if asset == "marker" else "sign-repairs"
    body = {"assignee": "demo_inspector"} if action == "assign" else {"resolution": "repaired"}
    return (
        "admin" if action == "assign" else "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/{prefix}/{rec.repair(rel, asset)}/{action}", json=body, headers=h
        ),
    )


PROBES = {
    ("POST", "/api/v1/users"): (
        "admin",
        lambda c, h, rec, rel: c.post(
            "/api/v1/users",
            json={
                "username": f"new_{uuid.uuid4().hex[:8]}",
                "role": "viewer",
                "password": uuid.uuid4().hex,
                "unit_code": {"own": DALAD, "parent": CITY, "sibling": DONGSHENG}[_record_relation(rel)],
            },
            headers=h,
        ),
    ),
    ("PATCH", "/api/v1/users/{username}"): ("admin", lambda c, h, rec, rel: _patch_account(c, h, rec, rel)),
    ("POST", "/api/v1/users/{username}/revoke-tokens"): (
        "admin",
        lambda c, h, rec, rel: c.post(f"/api/v1/users/{rec.account(rel)}/revoke-tokens", headers=h),
    ),
    ("POST", "/api/v1/users/{username}/invitation"): (
        "admin",
        lambda c, h, rec, rel: c.post(f"/api/v1/users/{rec.account(rel)}/invitation", headers=h),
    ),
    ("POST", "/api/v1/markers/{code}/inspections"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/markers/{_marker(rec.db, rel)}/inspections", json=_visit(), headers=h
        ),
    ),
    ("POST", "/api/v1/repairs/{repair_id}/assign"): _repair_probe("marker", "assign"),
    ("POST", "/api/v1/repairs/{repair_id}/close"): _repair_probe("marker", "close"),
    ("POST", "/api/v1/markers/{code}/telemetry"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/markers/{_marker(rec.db, rel)}/telemetry",
            json={"observed_at": datetime.now(UTC).isoformat(), "battery_pct": 80},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): (
        "inspector",
        lambda c, h, rec, rel: c.post(f"/api/v1/alerts/{rec.alert(rel)}/acknowledge", headers=h),
    ),
    ("POST", "/api/v1/joint-inspections"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            "/api/v1/joint-inspections",
            json={"line_code": LINES[_record_relation(rel)], "planned_on": str(date.today())},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/findings"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/joint-inspections/{rec.round(rel)}/findings", json={"finding": "界桩完好"}, headers=h
        ),
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/signatures"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/joint-inspections/{rec.round(rel)}/signatures",
            # the city's account acts for either side of a Dalad line: it names Dalad's
            json={"signer_name": "代表", **({"side": DALAD} if rel == "child" else {})},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/tracks"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/joint-inspections/{rec.round(rel)}/tracks",
            json={
                "id": str(uuid.uuid4()),
                "points": [
                    {"lon": 109.9, "lat": 39.9, "at": "2026-12-01T08:00:00Z"},
                    {"lon": 109.91, "lat": 39.9, "at": "2026-12-01T08:05:00Z"},
                ],
            },
            headers=h,
        ),
    ),
    ("POST", "/api/v1/joint-inspections/{round_id}/complete"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/joint-inspections/{rec.round(rel, signed=True)}/complete",
            json={"completed_on": str(date.today())},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/disputes"): (
        "inspector",
        lambda c, h, rec, rel: c.post("/api/v1/disputes", json=_dispute(rel), headers=h),
    ),
    ("POST", "/api/v1/disputes/{dispute_id}/events"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/disputes/{rec.dispute(rel)}/events",
            json={"happened_on": str(date.today()), "kind": "note", "description": "现场查看"},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/place-names"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            "/api/v1/place-names",
            json={
                "name": f"{unique_specific()}村",
                "level": "village",
                "admin_code": _unit_code(rel),
                "reason": "test",
            },
            headers=h,
        ),
    ),
    ("PATCH", "/api/v1/place-names/{place_id}"): (
        "placename_officer",
        lambda c, h, rec, rel: _etag_patch(
            c,
            h,
            f"/api/v1/place-names/{_place(rec.db, rel)}",
            {"location_description": unique_specific(), "reason": "test"},
        ),
    ),
    ("POST", "/api/v1/place-names/import"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            "/api/v1/place-names/import",
            files={
                "file": (
                    "n.csv",
                    f"标准名称,所在行政区划代码\n{unique_specific()}村,{_unit_code(rel)}\n".encode(),
                )
            },
            headers=h,
        ),
    ),
    ("POST", "/api/v1/place-names/requests"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            "/api/v1/place-names/requests",
            json={
                "kind": "naming",
                "applicant": "x",
                "reason": "y",
                "proposal": {
                    "name": f"{unique_specific()}村",
                    "level": "village",
                    "admin_code": UNITS[_record_relation(rel)] + "001",
                },
            },
            headers=h,
        ),
    ),
    ("POST", "/api/v1/place-names/requests/{request_id}/advance"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/place-names/requests/{rec.naming_request(rel)}/advance",
            json={"to": "review"},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/place-name-signs/{code}/inspections"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/place-name-signs/{_sign(rec.db, rel)}/inspections", json=_visit(), headers=h
        ),
    ),
    ("POST", "/api/v1/sign-repairs/{repair_id}/assign"): _repair_probe("sign", "assign"),
    ("POST", "/api/v1/sign-repairs/{repair_id}/close"): _repair_probe("sign", "close"),
    ("POST", "/ogc/collections/{layer_id}/items"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            "/ogc/collections/boundary_dispute/items",
            json={
                "type": "Feature",
                "geometry": (body := _dispute(rel)).pop("geometry"),
                "properties": body,
            },
            headers=h,
        ),
    ),
    ("PUT", "/ogc/collections/{layer_id}/items/{feature_id}"): (
        "inspector",
        lambda c, h, rec, rel: _ogc_dispute(rec, rel, h, "PUT"),
    ),
    ("PATCH", "/ogc/collections/{layer_id}/items/{feature_id}"): (
        "inspector",
        lambda c, h, rec, rel: _ogc_dispute(rec, rel, h, "PATCH"),
    ),
    ("DELETE", "/ogc/collections/{layer_id}/items/{feature_id}"): (
        "admin",
        lambda c, h, rec, rel: _ogc_delete_facility(c, h, rec, rel),
    ),
    ("POST", "/api/v1/place-name-signs"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            "/api/v1/place-name-signs",
            json={
                "code": "SCOPE-" + uuid.uuid4().hex[:10],
                "place_name_id": _place(rec.db, rel),
                "text_zh": "测试",
                "lon": 109.9,
                "lat": 39.9,
            },
            headers=h,
        ),
    ),
    ("POST", "/api/v1/place-names/findings/{finding_id}/resolve"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/place-names/findings/{_finding(rec.db, rel)}/resolve", headers=h
        ),
    ),
    ("POST", "/api/v1/place-names/findings/{finding_id}/waive"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/place-names/findings/{_finding(rec.db, rel)}/waive",
            json={"reason": "核实无误"},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/place-names/location-suggestions/{suggestion_id}/{decision}"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/place-names/location-suggestions/{_suggestion(rec.db, rel)}/reject", headers=h
        ),
    ),
    ("POST", "/api/v1/register/changes/{change_id}/decision"): (
        "placename_officer",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/register/changes/{_register_change(rec.db, rel)}/decision",
            json={"decision": "reject", "reason": "核实无此村"},
            headers=h,
        ),
    ),
    ("POST", "/api/v1/funeral/graves/{code}/remediation"): (
        "inspector",
        lambda c, h, rec, rel: c.post(
            f"/api/v1/funeral/graves/{_grave(rec.db, rel)}/remediation",
            data={"status": "in_progress"},
            headers=h,
        ),
    ),
}


def _ogc_dispute(records, relation: str, headers, method: str):
    """PUT or PATCH a dispute through the OGC API, with the ETag the caller read."""
    url = f"/ogc/collections/boundary_dispute/items/{records.dispute(relation)}"
    current = records.client.get(url, headers=headers)
    body = current.json() if method == "PUT" else {"properties": {"description": unique_specific()}}
    return records.client.request(
        method, url, json=body, headers=headers | {"If-Match": current.headers["etag"]}
    )


def _ogc_delete_facility(client, headers, records, relation: str):
    url = f"/ogc/collections/funeral_facility/items/{_facility(records.db, relation)}"
    etag = client.get(url, headers=records.auth("admin")).headers["etag"]
    return client.delete(url, headers=headers | {"If-Match": etag})


def _patch_account(client, headers, records, relation):
    name = records.account(relation)
    etag = client.get(f"/api/v1/users/{name}", headers=records.auth("admin")).headers["etag"]
    return client.patch(
        f"/api/v1/users/{name}", json={"display_name": "改名"}, headers=headers | {"If-Match": etag}
    )


RECORD_ROUTES = sorted(k for k, scope in WRITES.items() if scope.reach is Reach.RECORD)


def test_every_record_route_has_a_probe():
    assert sorted(PROBES) == RECORD_ROUTES, "a RECORD route needs its probe here"


@pytest.mark.parametrize("route", RECORD_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_a_record_route_reaches_the_records_within_the_callers_unit(client, auth, db, accounts, route):
    role, call = PROBES[route]
    records = Records(client, auth, db)
    wrong = []
    for relation in RELATIONS:
        r = call(client, accounts(relation, role), records, relation)
        allowed = relation in ALLOWED
        refused = 404 if route in UNDISCLOSED else 403
        if allowed and not r.status_code < 400 or not allowed and r.status_code != refused:
            wrong.append(f"{relation}: {r.status_code} {r.text[:160]}")
    assert wrong == [], f"{route[0]} {route[1]} ({WRITES[route].units}):\n" + "\n".join(wrong)

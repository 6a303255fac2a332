"""The role matrix, generated from the routes: for every operation and every caller
(each role, and anonymous), the answer is allowed or 401/403 as the route declares.
A route that declares no decision (no role check, no sign-in, not listed as public
below) fails the first test."""

import re
import uuid

import pytest

from gis_service.auth.dependencies import get_current_user
from gis_service.auth.models import ROLES
from gis_service.catalogue.dependencies import readable_layer
from tests.auth.routes import api_routes, dependency_calls

# Open to anyone by design, with the reason.
PUBLIC = {
    ("GET", "/healthz"): "liveness probe",
    ("GET", "/readyz"): "readiness probe",
    ("POST", "/api/v1/auth/token"): "signing in is how a caller gets a role",
    ("POST", "/api/v1/auth/invitation/lookup"): "an invitation link's holder is not signed in yet",
    ("POST", "/api/v1/auth/invitation"): "choosing one's password through an invitation link signs in",
    ("GET", "/api/v1/map-config"): "what the map needs before sign-in",
    ("GET", "/map"): "the map page (data behind it needs sign-in)",
    ("GET", "/planner"): "the planners' page (data behind it needs sign-in)",
    ("GET", "/docs"): "API documentation",
    ("GET", "/ogc"): "OGC landing page",
    ("GET", "/ogc/"): "OGC landing page (with the slash)",
    ("GET", "/ogc/conformance"): "OGC conformance classes",
    ("GET", "/ogc/api"): "the OpenAPI document of the OGC API",
    ("GET", "/ogc/tileMatrixSets"): "the tile grids offered (no data)",
    ("GET", "/ogc/tileMatrixSets/{tms}"): "one tile grid's definition (no data)",
    ("GET", "/"): "redirects to the map",
    ("GET", "/api/v1/markers/conditions"): "the condition vocabulary (no data)",
    ("GET", "/sw.js"): "the offline app shell's service worker (no data)",
    ("GET", "/manifest.webmanifest"): "the installable app's manifest (no data)",
    ("GET", "/trust"): "how phones trust the service's certificate (before they can sign in)",
    ("GET", "/trust/root.crt"): "the root certificate phones install (public by nature)",
}
# For the monitoring system (its token, or a caller from an allowed address), never a role:
# anonymous callers get 401, every user's own sign-in 403.
MONITORING = {("GET", "/metrics"): "Prometheus metrics"}
# Lists of layers: anyone may ask, the answer holds the layers the caller may read, and
# with no layer open to anonymous callers (the test settings) an anonymous call is a 401.
LAYER_LISTS = {
    ("GET", "/api/v1/layers"),
    ("GET", "/ogc/collections"),
    ("GET", "/ogc/tiles"),  # dataset tiles: every layer the caller may read
    ("GET", "/ogc/tiles/{tms}"),
    ("GET", "/ogc/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}"),
}
# OGC API Part 4 writes: the layer's declaration names the roles that may edit it.
LAYER_EDITS = {
    ("POST", "/ogc/collections/{layer_id}/items"),
    ("PUT", "/ogc/collections/{layer_id}/items/{feature_id}"),
    ("PATCH", "/ogc/collections/{layer_id}/items/{feature_id}"),
    ("DELETE", "/ogc/collections/{layer_id}/items/{feature_id}"),
}
# Allowed callers are not sent these, because doing so changes the session under test.
NOT_CALLED_WHEN_ALLOWED = {("POST", "/api/v1/auth/logout"): "would end the test's own sign-in"}
CALLERS = [None, *ROLES]
LAYER = "boundary_dispute"  # readable by every signed-in role, editable by some


def decision(method: str, route, app) -> frozenset[str | None] | None:
    """Who may call: a set of roles (None = anonymous), or None when undecided."""
    if (method, route.path) in LAYER_EDITS:
        return frozenset({"admin", *app.state.catalogue.layers()[LAYER].edit_roles})
    calls = set(dependency_calls(route.dependant))
    for call in calls:
        if hasattr(call, "allowed_roles"):
            return frozenset(call.allowed_roles)
    if get_current_user in calls or readable_layer in calls or (method, route.path) in LAYER_LISTS:
        return frozenset(ROLES)
    if (method, route.path) in PUBLIC:
        return frozenset(CALLERS)
    if (method, route.path) in MONITORING:
        return frozenset()
    return None


def operations(app):
    for route in api_routes(app):
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route


def test_every_operation_has_an_access_decision(app):
    ops = list(operations(app))
    assert len(ops) > 100
    undecided = [f"{m} {r.path}" for m, r in ops if decision(m, r, app) is None]
    assert undecided == [], "routes without an access decision: add a role check or list them in PUBLIC"


def _path_params(dependant):
    yield from dependant.path_params
    for dep in dependant.dependencies:
        yield from _path_params(dep)


def _path(route) -> str:
    """The route's path with a harmless value for each parameter (an id that does not
    exist, a real layer), so that only the access decision can refuse the call."""
    values = {
        "layer_id": LAYER,
        "z": "0",
        "x": "0",
        "y": "0",
        "tms": "WebMercatorQuad",
        "username": "no_such_user",
        "decision": "accept",
        "fmt": "geojson",
    }
    types = {p.name: p.field_info.annotation for p in _path_params(route.dependant)}
    path = route.path
    for name in re.findall(r"{(\w+)(?::\w+)?}", route.path):
        if name in values:
            value = values[name]
        elif types.get(name) is int:
            value = "999999999"
        elif types.get(name) is uuid.UUID:
            value = str(uuid.UUID(int=0))
        else:
            value = "no-such-thing"
        path = re.sub("{" + name + "(:\\w+)?}", value, path)
    return path


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c or "anonymous")
def test_role_matrix(client, auth, app, caller):
    headers = auth(caller) if caller else {}
    wrong = []
    for method, route in operations(app):
        allowed = decision(method, route, app)
        if caller in allowed and (method, route.path) in NOT_CALLED_WHEN_ALLOWED:
            continue
        r = client.request(method, _path(route), json={}, headers=headers)
        if caller in allowed:
            ok = r.status_code not in (401, 403)
        else:
            ok = r.status_code == (401 if caller is None else 403)
        if not ok:
            wrong.append(f"{method} {route.path}: {r.status_code}")
    assert wrong == [], "\n".join(wrong)

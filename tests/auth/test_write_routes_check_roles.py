"""Every write route decides who may call it: a new route without a role check fails here."""

from gis_service.auth.dependencies import get_current_user
from tests.auth.routes import api_routes, dependency_calls

# Routes that write but are open by design, with the reason.
OPEN_WRITES = {
    ("POST", "/api/v1/auth/token"): "signing in is how a caller gets a role",
    ("POST", "/api/v1/auth/invitation/lookup"): "an invitation link's holder is not signed in yet",
    ("POST", "/api/v1/auth/invitation"): "choosing one's password through an invitation link signs in",
}


def _write_routes(app):
    for route in api_routes(app):
        for method in route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            if (method, route.path) not in OPEN_WRITES:
                yield method, route


def test_the_app_has_write_routes_to_check(app):
    assert len(list(_write_routes(app))) > 30


def test_every_write_route_requires_a_signed_in_user(app):
    unchecked = [
        f"{method} {route.path}"
        for method, route in _write_routes(app)
        if get_current_user not in set(dependency_calls(route.dependant))
    ]
    assert unchecked == []


def test_write_routes_refuse_anonymous_and_bad_tokens(client, app):
    for method, route in _write_routes(app):
        path = (
            route.path.replace("{username}", "demo_viewer")
            .replace("{code}", "150602")
            .replace("{layer_id}", "boundary_dispute")
        )
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            r = client.request(method, path, json={}, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.status_code)

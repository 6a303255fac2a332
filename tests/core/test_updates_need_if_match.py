"""Every update of an existing record names the version it changes: without If-Match it
is a 428 and changes nothing (two people editing at once cannot overwrite each other).
The operations come from the OpenAPI document, so a new update route is covered as soon
as it exists."""

import re

import pytest

# PUTs that set a value by its key rather than change a version of a record.
SETTING_OPERATIONS = {
    ("PUT", "/api/v1/place-names/lexicon"): "adds or replaces lexicon entries keyed by language and spelling",
    ("PUT", "/api/v1/funeral/corridor-classes/{corridor_class}"): "sets one number per corridor class",
    ("PUT", "/api/v1/place-names/approval-rules/{category_code}"): "sets who approves one category of names",
}
PATH_VALUES = {
    "layer_id": "boundary_dispute",
    "feature_id": "1",
    "username": "demo_viewer",
    "place_id": "1",
    "inspection_id": "00000000-0000-4000-8000-000000000001",
    "corridor_class": "highway",
}
CODES = {"/api/v1/admin-units/": "150602", "/api/v1/boundary-lines/": "150602-150603"}


def _updates(app) -> list[tuple[str, str, dict]]:
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, op in operations.items():
            if method in ("put", "patch", "delete") and (method.upper(), path) not in SETTING_OPERATIONS:
                found.append((method.upper(), path, op))
    return found


def _url(path: str, db) -> str:
    def value(match):
        name = match.group(1)
        if name == "code":
            prefix = next((p for p in CODES if path.startswith(p)), None)
            if prefix:
                return CODES[prefix]
            if "markers" in path:
                return db.execute("SELECT code FROM boundary_marker ORDER BY code LIMIT 1").fetchone()[0]
            return "SIGN-1"
        assert name in PATH_VALUES, f"give the If-Match test a value for {{{name}}} in {path}"
        return PATH_VALUES[name]

    return re.sub(r"{(\w+)}", value, path)


def test_every_update_documents_if_match(app):
    updates = _updates(app)
    assert len(updates) >= 10, updates
    for method, path, op in updates:
        headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
        assert "if-match" in headers, f"{method} {path} does not take If-Match"
        assert "428" in op["responses"], (method, path)


def test_every_update_without_if_match_is_a_428(app, client, auth, db):
    audit_rows = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    for method, path, _ in _updates(app):
        url = _url(path, db)
        r = client.request(method, url, json={}, headers=auth("admin"))
        assert r.status_code == 428, (method, url, r.status_code, r.text[:200])
        assert "If-Match" in r.json()["message"] and r.json()["message_zh"]
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows


@pytest.mark.parametrize("operation", sorted(SETTING_OPERATIONS))
def test_the_setting_operations_still_exist(app, operation):
    """An exemption for a route that is gone must go too."""
    method, path = operation
    assert method.lower() in app.openapi()["paths"].get(path, {}), operation

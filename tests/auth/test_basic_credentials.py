"""HTTP Basic credentials for GIS clients that cannot send a bearer token (Debian's QGIS
3.22): accepted like a sign-in, throttled like one, and dropped at once when the
account changes."""

import base64
import uuid

from fastapi.testclient import TestClient

from gis_service.main import create_app

ITEMS = "/ogc/collections/county_boundary/items?limit=1"


def _basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _new_viewer(client, auth, name, password):
    r = client.post(
        "/api/v1/users",
        json={"username": name, "role": "viewer", "password": password},
        headers=auth("admin"),
    )
    assert r.status_code == 201, r.text


def test_basic_credentials_read_what_the_role_may_read(client):
    assert client.get(ITEMS, headers=_basic("demo_viewer", "demo-viewer")).status_code == 200
    assert (
        client.get("/ogc/collections/grave/items", headers=_basic("demo_viewer", "demo-viewer")).status_code
        == 403
    )
    assert client.get(ITEMS, headers=_basic("demo_viewer", "wrong")).status_code == 401
    for bad in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()):
        r = client.get(ITEMS, headers={"Authorization": bad})
        assert r.status_code == 401 and r.json()["message_zh"]
    # a 401 never asks the browser for a password (the map signs in with its own form)
    assert "basic" not in client.get(ITEMS).headers.get("www-authenticate", "").lower()


def test_basic_credentials_are_throttled_like_sign_ins(settings, prepared_db, client, auth):
    name, password = f"b_{uuid.uuid4().hex[:8]}", "right-password-1"
    _new_viewer(client, auth, name, password)
    limited = create_app(
        settings.model_copy(update={"sign_in_max_failures": 3, "sign_in_window_minutes": 15})
    )
    with TestClient(limited) as c:
        codes = [c.get(ITEMS, headers=_basic(name, "wrong")).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        assert c.get(ITEMS, headers=_basic(name, password)).status_code == 429  # even the right one


def test_a_password_change_ends_basic_access_at_once(client, auth, current):
    name, password = f"p_{uuid.uuid4().hex[:8]}", "first-password-1"
    _new_viewer(client, auth, name, password)
    assert client.get(ITEMS, headers=_basic(name, password)).status_code == 200  # now cached
    changed = client.patch(
        f"/api/v1/users/{name}",
        json={"password": "second-password-2"},
        headers=current(f"/api/v1/users/{name}", auth("admin")),
    )
    assert changed.status_code == 200, changed.text
    assert client.get(ITEMS, headers=_basic(name, password)).status_code == 401
    assert client.get(ITEMS, headers=_basic(name, "second-password-2")).status_code == 200


def test_parallel_requests_with_the_right_credentials_all_pass(settings, prepared_db, client, auth):
    """QGIS sends several requests at once: one check is counted for all of them."""
    import concurrent.futures

    import httpx

    from tests.web.field_browser import RestartableServer

    name, password = f"q_{uuid.uuid4().hex[:8]}", "right-password-1"
    _new_viewer(client, auth, name, password)
    server = RestartableServer(settings.model_copy(update={"sign_in_max_failures": 5})).start()
    try:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            codes = list(
                pool.map(
                    lambda _: (
                        httpx.get(server.base + ITEMS, headers=_basic(name, password), timeout=60).status_code
                    ),
                    range(16),
                )
            )
        assert codes == [200] * 16, codes
    finally:
        server.stop()


def test_a_nul_in_a_basic_user_name_is_a_400(client):
    r = client.get(ITEMS, headers=_basic("demo\x00viewer", "x"))
    assert r.status_code == 400 and "control character" in r.json()["message"], r.text

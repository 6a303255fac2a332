"""An account given a one-time password by an administrator changes it before anything
else: every other route answers 403 `password_change_required` until then, through every
door (the API, the tiles' lean route, HTTP Basic)."""

import uuid

import pytest


@pytest.fixture
def one_time(client, auth):
    name, password = f"otp_{uuid.uuid4().hex[:8]}", "Given-by-admin-55"
    r = client.post(
        "/api/v1/users",
        json={"username": name, "role": "inspector", "password": password, "password_change_required": True},
        headers=auth("admin"),
    )
    assert r.status_code == 201
    token = client.post("/api/v1/auth/token", data={"username": name, "password": password}).json()
    return name, password, token["access_token"]


def test_nothing_but_the_change_until_it_is_made(client, one_time):
    name, password, token = one_time
    h = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/auth/me", headers=h)
    assert me.status_code == 200 and me.json()["password_change_required"] is True
    for path in ("/api/v1/layers", "/api/v1/layers/county_boundary/tiles/6/51/24", "/api/v1/markers/summary"):
        r = client.get(path, headers=h)
        assert r.status_code == 403 and r.json()["code"] == "password_change_required", path
    basic = client.get("/api/v1/layers", auth=(name, password))
    assert basic.status_code == 403 and basic.json()["code"] == "password_change_required"
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": password, "new_password": "Own-choice-horse-56"},
        headers=h,
    )
    assert changed.status_code == 200 and changed.json()["user"]["password_change_required"] is False
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert client.get("/api/v1/layers", headers=fresh).status_code == 200


def test_the_users_list_shows_last_sign_in_and_filters_by_unit(client, auth, one_time):
    name, _, _ = one_time
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=auth("admin")).json()}
    assert listed[name]["last_sign_in"] is not None
    dalad = client.post(
        "/api/v1/users",
        json={
            "username": f"u_{uuid.uuid4().hex[:8]}",
            "role": "viewer",
            "password": uuid.uuid4().hex,
            "unit_code": "150621",
        },
        headers=auth("admin"),
    ).json()
    by_unit = client.get("/api/v1/users", params={"unit": "150621"}, headers=auth("admin")).json()
    assert dalad["username"] in {u["username"] for u in by_unit}
    assert {u["unit_code"] for u in by_unit} == {"150621"}
    assert dalad["last_sign_in"] is None

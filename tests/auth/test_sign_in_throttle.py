"""Repeated failed sign-ins for one account are refused for a while (429 with
Retry-After), even with the right password; other accounts are unaffected."""

import uuid

from fastapi.testclient import TestClient

from gis_service.main import create_app


def test_sign_in_is_throttled_after_repeated_failures(settings, prepared_db, client, auth):
    limited = create_app(
        settings.model_copy(update={"sign_in_max_failures": 3, "sign_in_window_minutes": 15})
    )
    name, password = f"t_{uuid.uuid4().hex[:8]}", "right-password-1"
    assert (
        client.post(
            "/api/v1/users",
            json={"username": name, "role": "viewer", "password": password},
            headers=auth("admin"),
        ).status_code
        == 201
    )
    with TestClient(limited) as c:

        def sign_in(user, pw):
            return c.post("/api/v1/auth/token", data={"username": user, "password": pw})

        assert sign_in(name, "wrong").status_code == 401
        assert sign_in(name, password).status_code == 200  # a success clears the count
        for _ in range(3):
            assert sign_in(name, "wrong").status_code == 401
        blocked = sign_in(name, password)
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
        assert "try again" in blocked.json()["message"] and blocked.json()["message_zh"]
        assert sign_in("demo_viewer", "demo-viewer").status_code == 200  # others unaffected

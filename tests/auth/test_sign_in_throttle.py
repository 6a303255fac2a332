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


def _server(settings, **limits):
    from tests.web.field_browser import RestartableServer

    return RestartableServer(settings.model_copy(update=limits)).start()


def test_parallel_guesses_are_counted_one_by_one(settings, prepared_db, client, auth):
    """40 wrong passwords at once against a limit of 5: exactly 5 are checked."""
    import concurrent.futures

    import httpx

    name = f"t_{uuid.uuid4().hex[:8]}"
    client.post(
        "/api/v1/users",
        json={"username": name, "role": "viewer", "password": "right-password-1"},
        headers=auth("admin"),
    )
    server = _server(settings, sign_in_max_failures=5, sign_in_max_failures_per_client=1000)
    try:

        def guess(i):
            return httpx.post(
                f"{server.base}/api/v1/auth/token", data={"username": name, "password": f"no-{i}"}, timeout=60
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(40) as pool:
            codes = list(pool.map(guess, range(40)))
        assert codes.count(401) == 5 and codes.count(429) == 35, codes
    finally:
        server.stop()


def test_guessing_across_accounts_from_one_address_is_slowed(settings, prepared_db):
    import httpx

    server = _server(
        settings, sign_in_max_failures=1000, sign_in_max_failures_per_client=4, trusted_proxies=["127.0.0.1"]
    )
    try:

        def attempt(user, forwarded):
            return httpx.post(
                f"{server.base}/api/v1/auth/token",
                data={"username": user, "password": "wrong-pw"},
                headers={"X-Forwarded-For": forwarded},
            )

        me = f"203.0.113.{uuid.uuid4().int % 200 + 1}"
        codes = [attempt(f"nobody_{uuid.uuid4().hex[:6]}", me).status_code for _ in range(6)]
        assert codes == [401, 401, 401, 401, 429, 429]
        blocked = attempt("demo_viewer", me)
        assert blocked.status_code == 429 and "address" in blocked.json()["message"]
        # another address (as the trusted proxy reports it) is not affected
        assert attempt("someone_else", "198.51.100.7").status_code == 401
        # a forged header from a peer that is not a trusted proxy is ignored: its own address counts
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as untrusted:
            forged = untrusted.post(
                f"{server.base}/api/v1/auth/token",
                data={"username": "x_y", "password": "wrong-pw"},
                headers={"X-Forwarded-For": me},
            )
        assert forged.status_code == 401
    finally:
        server.stop()

"""Repeated failed sign-ins for one account are refused for a while (429 with
Retry-After), even with the right password; other accounts are unaffected. A success never
clears failures another client caused. Behind one shared address (carrier-grade NAT, an
office), devices known to an account sign in as usual and unknown ones are slowed, not
locked out."""

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
        assert sign_in(name, password).status_code == 200  # takes back its own attempt only
        for _ in range(2):
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


def _account(client, auth, role="viewer"):
    name, password = f"n_{uuid.uuid4().hex[:8]}", f"Correct-horse-{uuid.uuid4().hex[:8]}"
    r = client.post(
        "/api/v1/users", json={"username": name, "role": role, "password": password}, headers=auth("admin")
    )
    assert r.status_code == 201, r.text
    return name, password


def test_a_success_never_clears_another_clients_failures(settings, prepared_db, client, auth):
    """The victim signing in again and again (as QGIS re-validates) gives the attacker no
    more than the per-account limit of guesses."""
    import httpx

    victim, password = _account(client, auth)
    server = _server(settings, sign_in_max_failures=5, trusted_proxies=["127.0.0.1"])
    try:

        def sign_in(pw, address):
            return httpx.post(
                f"{server.base}/api/v1/auth/token",
                data={"username": victim, "password": pw},
                headers={"X-Forwarded-For": address},
            ).status_code

        checked = 0
        for i in range(40):
            checked += sign_in(f"guess-{i}", "203.0.113.9") == 401
            if i % 3 == 0:
                sign_in(password, "198.51.100.20")  # the victim, elsewhere
        assert checked == 5
    finally:
        server.stop()


def test_a_noisy_shared_address_locks_out_no_one(settings, prepared_db, client, auth, db):
    """40 wrong guesses from one address, then three other accounts sign in correctly from
    it: the one whose device signed in before at once, the two unknown devices slowed to
    one attempt per slot but let in. The address recorded is the phone's, from the trusted
    proxy's X-Forwarded-For; a forged one from an untrusted peer is ignored."""
    import time

    import httpx

    slow = 0.6
    server = _server(
        settings,
        sign_in_max_failures=5,
        sign_in_max_failures_per_client=30,
        sign_in_slow_seconds=slow,
        sign_in_max_wait_seconds=5,
        trusted_proxies=["127.0.0.1"],
    )
    # an address no other test uses (198.18.0.0/15 is set aside for tests), and only this
    # test's rows are counted
    nat = f"198.18.{uuid.uuid4().int % 256}.{uuid.uuid4().int % 254 + 1}"
    before = db.execute("SELECT coalesce(max(id), 0) FROM sign_in_failure").fetchone()[0]
    (known, known_pw), (b, b_pw), (c, c_pw) = (_account(client, auth) for _ in range(3))
    victim, _ = _account(client, auth)
    try:
        url = f"{server.base}/api/v1/auth/token"
        phone = httpx.Client(headers={"X-Forwarded-For": nat})
        assert phone.post(url, data={"username": known, "password": known_pw}).status_code == 200
        assert phone.cookies.get("gis_device")  # this device is now known to that account

        attacker = httpx.Client(headers={"X-Forwarded-For": nat}, timeout=30)
        codes = [
            attacker.post(
                url, data={"username": victim if i < 10 else f"x_{i}", "password": "guess"}
            ).status_code
            for i in range(40)
        ]
        assert codes[:10].count(401) == 5 and codes[:10].count(429) == 5  # the account limit
        assert all(code == 401 for code in codes[10:]), codes  # slowed, each in its own slot
        failures = db.execute(
            "SELECT count(*) FROM sign_in_failure WHERE client = %s::inet AND id > %s", (nat, before)
        ).fetchone()[0]
        assert failures == 35  # the phone's address, as the proxy reported it

        started = time.monotonic()
        assert phone.post(url, data={"username": known, "password": known_pw}).status_code == 200
        assert time.monotonic() - started < slow  # a known device is not slowed

        started = time.monotonic()
        others = [
            httpx.post(
                url, data={"username": n, "password": pw}, headers={"X-Forwarded-For": nat}
            ).status_code
            for n, pw in ((b, b_pw), (c, c_pw))
        ]
        assert others == [200, 200]
        assert time.monotonic() - started >= slow * 0.9  # ... unknown ones are, one slot each

        # a forged header from a peer that is not a trusted proxy is ignored: its own address counts
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as untrusted:
            forged = untrusted.post(
                url, data={"username": "x_forged", "password": "wrong-pw"}, headers={"X-Forwarded-For": nat}
            )
        assert forged.status_code == 401
        assert (
            db.execute(
                "SELECT host(client) FROM sign_in_failure WHERE username = 'x_forged' ORDER BY id DESC LIMIT 1"
            ).fetchone()[0]
            == "127.0.0.2"
        )
    finally:
        server.stop()

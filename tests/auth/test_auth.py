"""Sign-in, tokens (expiry, revocation), roles and the audit of account writes."""

import uuid

import pytest


def _sign_in(client, username, password):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _new_user(client, auth, role="viewer", password="correct-horse-1"):
    name = f"u_{uuid.uuid4().hex[:8]}"
    r = client.post(
        "/api/v1/users", json={"username": name, "role": role, "password": password}, headers=auth("admin")
    )
    assert r.status_code == 201, r.text
    return name, password


def test_sign_in_returns_an_expiring_bearer_token(client):
    r = _sign_in(client, "demo_viewer", "demo-viewer")
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["user"]["role"] == "viewer"
    assert body["expires_at"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "demo_viewer"


@pytest.mark.parametrize(("username", "password"), [("demo_viewer", "wrong"), ("nobody", "x" * 10)])
def test_failed_sign_in_is_401_with_a_clear_message(client, username, password):
    r = _sign_in(client, username, password)
    assert r.status_code == 401
    assert r.json()["message"] == "Wrong user name or password."
    assert r.json()["message_zh"] == "用户名或密码错误。"


def test_bad_tokens_are_refused(client):
    for header in ("Bearer nonsense", "Bearer ", "Basic abc"):
        r = client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["message"]


def test_passwords_are_hashed_with_argon2(db):
    hashes = [r[0] for r in db.execute("SELECT password_hash FROM app_user").fetchall()]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    tokens = [r[0] for r in db.execute("SELECT token_hash FROM auth_token").fetchall()]
    assert all(len(t) == 64 for t in tokens)  # only SHA-256 digests are stored


def test_expired_token_is_refused(client, db):
    token = _sign_in(client, "demo_viewer", "demo-viewer").json()["access_token"]
    db.execute(
        "UPDATE auth_token SET expires_at = now() - interval '1 second'"
        " WHERE id = (SELECT max(id) FROM auth_token)"
    )
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "expired" in r.json()["message"]


def test_logout_revokes_only_that_token(client):
    a = _sign_in(client, "demo_planner", "demo-planner").json()["access_token"]
    b = _sign_in(client, "demo_planner", "demo-planner").json()["access_token"]
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {a}"}).json() == {
        "revoked": 1
    }
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {a}"}).status_code == 401
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {b}"}).status_code == 200


def test_admin_revokes_all_tokens_of_a_user(client, auth):
    name, pw = _new_user(client, auth)
    tokens = [_sign_in(client, name, pw).json()["access_token"] for _ in range(2)]
    r = client.post(f"/api/v1/users/{name}/revoke-tokens", headers=auth("admin"))
    assert r.json() == {"revoked": 2}
    for t in tokens:
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {t}"}).status_code == 401


def test_password_change_and_deactivation_end_sessions(client, auth, current):
    name, pw = _new_user(client, auth)
    token = _sign_in(client, name, pw).json()["access_token"]
    r = client.patch(
        f"/api/v1/users/{name}",
        json={"password": "another-pass-2"},
        headers=current(f"/api/v1/users/{name}", auth("admin")),
    )
    assert r.status_code == 200
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _sign_in(client, name, pw).status_code == 401
    token = _sign_in(client, name, "another-pass-2").json()["access_token"]
    client.patch(
        f"/api/v1/users/{name}",
        json={"is_active": False},
        headers=current(f"/api/v1/users/{name}", auth("admin")),
    )
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _sign_in(client, name, "another-pass-2").status_code == 401


@pytest.mark.parametrize("role", ["viewer", "inspector", "placename_officer", "planner"])
def test_only_admins_manage_accounts(client, auth, role, db):
    count = db.execute("SELECT count(*) FROM app_user").fetchone()[0]
    r = client.post(
        "/api/v1/users",
        json={"username": "x_" + role, "role": "admin", "password": "password-123"},
        headers=auth(role),
    )
    assert r.status_code == 403 and role in r.json()["message"]
    assert client.get("/api/v1/users", headers=auth(role)).status_code == 403
    assert db.execute("SELECT count(*) FROM app_user").fetchone()[0] == count


def test_account_writes_are_audited_without_secrets(client, auth, db, current):
    name, _ = _new_user(client, auth, role="planner")
    client.patch(
        f"/api/v1/users/{name}",
        json={"role": "viewer"},
        headers=current(f"/api/v1/users/{name}", auth("admin")),
    )
    rows = db.execute(
        "SELECT action, actor, before, after FROM audit_log"
        " WHERE entity = 'app_user' AND entity_id = %s ORDER BY id",
        (name,),
    ).fetchall()
    assert [r[0] for r in rows] == ["create", "update"]
    assert rows[0][1] == "demo_admin" and rows[1][2]["role"] == "planner" and rows[1][3]["role"] == "viewer"
    assert "password_hash" not in str(rows)


def test_bad_account_input_is_4xx_and_changes_nothing(client, auth, db):
    count = db.execute("SELECT count(*) FROM app_user").fetchone()[0]
    h = auth("admin")
    bad = [
        {"username": "a b", "role": "viewer", "password": "Kestrel-Orbit-41"},
        {"username": "okname", "role": "emperor", "password": "Kestrel-Orbit-41"},
        {"username": "okname", "role": "viewer", "password": "short"},
        {"username": "demo_admin", "role": "viewer", "password": "Kestrel-Orbit-41"},
    ]
    for body in bad:
        r = client.post("/api/v1/users", json=body, headers=h)
        assert r.status_code in (400, 409, 422), body
    assert (
        client.patch(
            "/api/v1/users/nobody-here", json={"role": "viewer"}, headers=h | {"If-Match": "*"}
        ).status_code
        == 404
    )
    assert db.execute("SELECT count(*) FROM app_user").fetchone()[0] == count


WEAK = ["12345678", "password", " " * 12, "password-123", "qwertyuiop12", "aaaaaaaaaaaaaa", "Short-pw-1"]


def test_weak_passwords_are_refused_wherever_a_password_is_set(client, auth, db, prepared_db, current):
    import os
    import subprocess
    import sys

    count = db.execute("SELECT count(*) FROM app_user").fetchone()[0]
    for password in WEAK:
        r = client.post(
            "/api/v1/users",
            json={"username": "weakling", "role": "viewer", "password": password},
            headers=auth("admin"),
        )
        assert r.status_code == 400 and r.json()["message_zh"], (password, r.text)
    name, _ = _new_user(client, auth)
    for password in WEAK + [f"{name}-Orbit-41"]:
        r = client.patch(
            f"/api/v1/users/{name}",
            json={"password": password},
            headers=current(f"/api/v1/users/{name}", auth("admin")),
        )
        assert r.status_code == 400, (password, r.text)
    cli = subprocess.run(
        [sys.executable, "-m", "gis_service", "users", "create", "weak_cli", "--role", "viewer"],
        input="password-123\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": prepared_db},
    )
    assert cli.returncode == 1 and "common" in cli.stderr and "Traceback" not in cli.stderr
    assert db.execute("SELECT count(*) FROM app_user").fetchone()[0] == count + 1  # only _new_user's


def test_a_user_changes_their_own_password(client, auth, db):
    """Giving the current password; every sign-in of the account ends (a second device's
    too), this one carries on with the token in the answer; audited without the password."""
    name, password = _new_user(client, auth)
    here = _sign_in(client, name, password).json()["access_token"]
    elsewhere = _sign_in(client, name, password).json()["access_token"]
    url = "/api/v1/auth/password"

    wrong = client.post(
        url,
        json={"current_password": "nope", "new_password": "Another-horse-2"},
        headers={"Authorization": f"Bearer {here}"},
    )
    assert wrong.status_code == 400 and wrong.json()["message"] == "The current password is wrong."
    weak = client.post(
        url,
        json={"current_password": password, "new_password": "123"},
        headers={"Authorization": f"Bearer {here}"},
    )
    assert weak.status_code == 400 and weak.json()["message_zh"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {here}"}).status_code == 200

    done = client.post(
        url,
        json={"current_password": password, "new_password": "Another-horse-2"},
        headers={"Authorization": f"Bearer {here}"},
    )
    assert done.status_code == 200, done.text
    fresh = done.json()["access_token"]
    for old in (here, elsewhere):
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"}).json()["username"] == name
    )
    assert _sign_in(client, name, password).status_code == 401
    assert _sign_in(client, name, "Another-horse-2").status_code == 200
    (after,) = db.execute(
        "SELECT after FROM audit_log WHERE entity = 'app_user' AND entity_id = %s AND action = 'update'"
        " ORDER BY id DESC LIMIT 1",
        (name,),
    ).fetchone()
    assert "password" in after and "Another-horse-2" not in str(after)  # recorded, never shown
    assert client.post(url, json={"current_password": "x", "new_password": "y"}).status_code == 401

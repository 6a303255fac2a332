"""Invitation links: an administrator makes an account (or resets one) with a link, not a
password to pass on; its user chooses a password through the link, once, under the
password policy, and is signed in. The link's secret is kept only as a digest and never
reaches a URL the service logs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from gis_service.auth.security import token_digest


def _invite_new(client, headers, **extra) -> tuple[str, dict]:
    name = f"inv_{uuid.uuid4().hex[:8]}"
    r = client.post(
        "/api/v1/users",
        json={"username": name, "role": "inspector", "invite": True, **extra},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return name, r.json()


def _secret(url: str) -> str:
    fragment = urlsplit(url).fragment
    assert fragment.startswith("invite=")
    return fragment.removeprefix("invite=")


def test_a_new_account_chooses_its_password_through_the_link(client, auth, db):
    name, made = _invite_new(client, auth("admin"), display_name="巴特尔")
    invitation = made["invitation"]
    assert urlsplit(invitation["url"]).path.endswith("/map")
    expires = datetime.fromisoformat(invitation["expires_at"])
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)
    secret = _secret(invitation["url"])
    stored = db.execute("SELECT invitation_digest FROM app_user WHERE username = %s", (name,)).fetchone()[0]
    assert stored == token_digest(secret) and secret not in stored
    who = client.post("/api/v1/auth/invitation/lookup", json={"secret": secret})
    assert (
        who.status_code == 200 and who.json()["username"] == name and who.json()["display_name"] == "巴特尔"
    )
    # nobody can sign in before the user has chosen a password
    assert client.post("/api/v1/auth/token", data={"username": name, "password": ""}).status_code in (
        401,
        422,
    )
    weak = client.post("/api/v1/auth/invitation", json={"secret": secret, "new_password": "12345678"})
    assert weak.status_code == 400  # the password policy holds here too, and the link stays good
    chosen = "Ordos-boundary-" + uuid.uuid4().hex[:6]
    accepted = client.post("/api/v1/auth/invitation", json={"secret": secret, "new_password": chosen})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["user"]["username"] == name and accepted.json()["access_token"]
    assert client.post("/api/v1/auth/token", data={"username": name, "password": chosen}).status_code == 200
    again = client.post("/api/v1/auth/invitation", json={"secret": secret, "new_password": chosen + "x"})
    assert again.status_code == 400 and "invitation" in again.json()["message"]


def test_a_new_link_replaces_the_old_and_ends_the_sign_ins(client, auth):
    name, made = _invite_new(client, auth("admin"))
    first = _secret(made["invitation"]["url"])
    second = client.post(f"/api/v1/users/{name}/invitation", headers=auth("admin"))
    assert second.status_code == 201
    assert client.post("/api/v1/auth/invitation/lookup", json={"secret": first}).status_code == 400
    secret = _secret(second.json()["url"])
    password = "Dalad-inspector-" + uuid.uuid4().hex[:6]
    signed_in = client.post("/api/v1/auth/invitation", json={"secret": secret, "new_password": password})
    token = signed_in.json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=me).status_code == 200
    # a reset by link ends the account's sign-ins and its password
    assert client.post(f"/api/v1/users/{name}/invitation", headers=auth("admin")).status_code == 201
    assert client.get("/api/v1/auth/me", headers=me).status_code == 401
    assert client.post("/api/v1/auth/token", data={"username": name, "password": password}).status_code == 401


def test_bad_invitations_change_nothing(client, auth, db, banner_account):
    both = client.post(
        "/api/v1/users",
        json={
            "username": f"x_{uuid.uuid4().hex[:6]}",
            "role": "viewer",
            "invite": True,
            "password": "x" * 20,
        },
        headers=auth("admin"),
    )
    assert both.status_code == 422
    assert client.post("/api/v1/auth/invitation/lookup", json={"secret": "x" * 43}).status_code == 400
    name, made = _invite_new(client, auth("admin"))
    db.execute(
        "UPDATE app_user SET invitation_expires_at = now() - interval '1 minute' WHERE username = %s", (name,)
    )
    expired = client.post(
        "/api/v1/auth/invitation",
        json={"secret": _secret(made["invitation"]["url"]), "new_password": "x" * 30},
    )
    assert expired.status_code == 400
    # a banner's administrator invites only within the banner
    outside = client.post(f"/api/v1/users/{name}/invitation", headers=banner_account("admin", "150621"))
    assert outside.status_code == 404

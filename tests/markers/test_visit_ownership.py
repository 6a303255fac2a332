"""A visit belongs to its inspector: another inspector can neither add photos to it nor
get it back by sending its id again. Checked on every route that takes a visit's id
(markers and place-name signs alike), found from the app's routes."""

import io
import uuid
from datetime import UTC, datetime

import pytest
from PIL import Image

from tests.auth.routes import api_routes
from tests.placenames.test_signs import _sign


@pytest.fixture(scope="module")
def other_inspector(client, auth):
    name = "second_inspector_" + uuid.uuid4().hex[:6]
    r = client.post(
        "/api/v1/users",
        json={"username": name, "role": "inspector", "password": "second-inspector-pw"},
        headers=auth("admin"),
    )
    assert r.status_code == 201, r.text
    token = client.post(
        "/api/v1/auth/token", data={"username": name, "password": "second-inspector-pw"}
    ).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(out, format="JPEG")
    return {"photo": ("p.jpg", out.getvalue(), "image/jpeg")}


def _visit(notes="mine"):
    return {
        "id": str(uuid.uuid4()),
        "condition": "intact",
        "observed_at": datetime.now(UTC).isoformat(),
        "notes": notes,
    }


@pytest.fixture(scope="module")
def visits(client, auth, db):
    """A visit by the demo inspector to a marker and to a sign: {photos route prefix: (asset URL, visit)}."""
    marker = db.execute("SELECT code FROM boundary_marker ORDER BY code LIMIT 1").fetchone()[0]
    sign = _sign(client, auth, db)["code"]
    out = {}
    for prefix, url in (
        ("/api/v1/inspections", f"/api/v1/markers/{marker}"),
        ("/api/v1/sign-inspections", f"/api/v1/place-name-signs/{sign}"),
    ):
        v = _visit()
        assert client.post(f"{url}/inspections", json=v, headers=auth("inspector")).status_code == 201
        out[prefix] = (url, v)
    return out


def test_every_photo_route_is_covered(app, visits):
    prefixes = {
        r.path.removesuffix("/{inspection_id}/photos")
        for r in api_routes(app)
        if r.path.endswith("/{inspection_id}/photos")
    }
    assert prefixes == set(visits)


@pytest.mark.parametrize("prefix", ["/api/v1/inspections", "/api/v1/sign-inspections"])
def test_only_the_inspector_or_an_administrator_adds_photos(
    client, auth, visits, other_inspector, db, prefix
):
    _, v = visits[prefix]
    r = client.post(f"{prefix}/{v['id']}/photos", files=_jpeg(), headers=other_inspector)
    assert r.status_code == 403 and r.json()["message_zh"]
    assert (
        client.post(f"{prefix}/{v['id']}/photos", files=_jpeg(), headers=auth("inspector")).status_code == 201
    )
    assert client.post(f"{prefix}/{v['id']}/photos", files=_jpeg(), headers=auth("admin")).status_code == 201
    assert (
        client.post(f"{prefix}/{uuid.uuid4()}/photos", files=_jpeg(), headers=auth("inspector")).status_code
        == 404
    )


@pytest.mark.parametrize("prefix", ["/api/v1/inspections", "/api/v1/sign-inspections"])
def test_someone_elses_visit_id_is_refused_without_revealing_it(
    client, auth, visits, other_inspector, prefix
):
    url, v = visits[prefix]
    again = client.post(f"{url}/inspections", json=v, headers=auth("inspector"))
    assert again.status_code == 200 and again.json()["notes"] == "mine"  # the owner gets it back
    stolen = client.post(f"{url}/inspections", json=v, headers=other_inspector)
    assert stolen.status_code == 409
    assert "mine" not in stolen.text and v["observed_at"][:19] not in stolen.text


def test_a_visit_id_is_one_id_across_every_kind_of_asset(client, auth, visits, other_inspector, db):
    """A marker visit's id sent as a sign visit (by its own inspector or another) is a 409,
    and the other way round; nothing is stored and no photo can follow."""
    counts = db.execute(
        "SELECT (SELECT count(*) FROM marker_inspection), (SELECT count(*) FROM sign_inspection)"
    )
    before = counts.fetchone()
    (marker_url, marker_visit), (sign_url, sign_visit) = (
        visits["/api/v1/inspections"],
        visits["/api/v1/sign-inspections"],
    )
    for url, taken in ((sign_url, marker_visit), (marker_url, sign_visit)):
        for headers in (auth("inspector"), other_inspector):
            r = client.post(f"{url}/inspections", json=taken, headers=headers)
            assert r.status_code == 409 and r.json()["message_zh"], r.text
    after = db.execute(
        "SELECT (SELECT count(*) FROM marker_inspection), (SELECT count(*) FROM sign_inspection)"
    ).fetchone()
    assert after == before
    # a resend of the same visit to the same asset is still answered with the first result
    assert (
        client.post(f"{marker_url}/inspections", json=marker_visit, headers=auth("inspector")).status_code
        == 200
    )

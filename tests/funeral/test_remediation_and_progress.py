"""Remediation with evidence photos (the marker visits' photo handling), optimistic
versions, and progress arithmetic on a township of hand-made graves."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

from PIL import Image

from tests.funeral.helpers import csv_file, unique, upload

HEADER = [
    "code",
    "经度",
    "纬度",
    "kind",
    "grave_count",
    "surveyed_on",
    "township_code",
    "remediation_status",
    "remediation_method",
    "remediated_on",
]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def test_remediation_needs_evidence_and_keeps_history(client, auth, db):
    code = unique("R")
    r = upload(
        client,
        auth,
        "graves",
        csv_file(HEADER, [[code, 109.9, 39.7, "hardened_large", 1, "2024-03-01", "", "", "", ""]]),
    )
    assert r.status_code == 201, r.text
    url = f"/api/v1/funeral/graves/{code}/remediation"
    form = {"status": "remediated", "method": "hardening_removed", "done_on": "2024-05-02"}
    # No photo, a method without remediation, a date before the survey, a planner: refused.
    assert client.post(url, data=form, headers=auth("inspector")).status_code == 400
    assert (
        client.post(
            url, data={"status": "in_progress", "method": "levelled"}, headers=auth("inspector")
        ).status_code
        == 400
    )
    early = form | {"done_on": "2024-01-01"}
    assert (
        client.post(
            url, data=early, files={"photos": ("a.jpg", _jpeg())}, headers=auth("inspector")
        ).status_code
        == 400
    )
    assert (
        client.post(url, data=form, files={"photos": ("a.jpg", _jpeg())}, headers=auth("planner")).status_code
        == 403
    )
    bad = client.post(url, data=form, files={"photos": ("a.jpg", b"not an image")}, headers=auth("inspector"))
    assert bad.status_code == 400
    assert db.execute(
        "SELECT remediation_status, version FROM grave WHERE code = %s", (code,)
    ).fetchone() == ("not_started", 1)

    ok = client.post(
        url, data=form | {"version": "1"}, files={"photos": ("a.jpg", _jpeg())}, headers=auth("inspector")
    )
    assert ok.status_code == 201, ok.text
    photo = ok.json()["photos"][0]
    assert client.get(photo["url"], headers=auth("planner")).headers["content-type"] == "image/jpeg"
    stale = client.post(url, data={"status": "in_progress", "version": "1"}, headers=auth("inspector"))
    assert stale.status_code == 409
    card = client.get(f"/api/v1/funeral/graves/{code}", headers=auth("planner")).json()
    assert card["remediation_status"] == "remediated" and card["remediation_method"] == "hardening_removed"
    assert card["version"] == 2 and card["history"][0]["photos"] == [photo["sha256"]]


def test_progress_arithmetic_by_township(client, auth):
    township = "150627901"  # a code no real township has, so the group holds only these graves
    tag = unique("P")
    rows = [
        [f"{tag}-1", 110.05, 39.55, "scattered", 1, "2022-01-10", township, "", "", ""],
        [
            f"{tag}-2",
            110.06,
            39.55,
            "scattered",
            1,
            "2022-01-20",
            township,
            "remediated",
            "relocated",
            "2022-05-03",
        ],
        [
            f"{tag}-3",
            110.07,
            39.55,
            "scattered",
            2,
            "2022-02-01",
            township,
            "remediated",
            "levelled",
            "2022-03-15",
        ],
        [f"{tag}-4", 110.08, 39.55, "historical_cluster", 3, "2022-02-01", township, "in_progress", "", ""],
    ]
    assert upload(client, auth, "graves", csv_file(HEADER, rows)).status_code == 201
    groups = client.get("/api/v1/funeral/progress?by=township", headers=auth("planner")).json()["groups"]
    group = next(g for g in groups if g["key"] == township)
    month = {m["month"]: m for m in group["series"]}
    assert (month["2022-01"]["surveyed"], month["2022-01"]["remediated"]) == (2, 0)
    assert (month["2022-02"]["surveyed"], month["2022-02"]["remediated"]) == (7, 0)
    assert (month["2022-03"]["remediated"], month["2022-03"]["rate_pct"]) == (2, 28.6)
    assert (month["2022-04"]["remediated"], month["2022-05"]["remediated"]) == (2, 3)
    assert (group["surveyed"], group["remediated"], group["rate_pct"]) == (7, 3, 42.9)
    kinds = client.get("/api/v1/funeral/progress?by=kind", headers=auth("viewer")).json()
    assert {g["key"] for g in kinds["groups"]} <= {
        "scattered",
        "historical_cluster",
        "hardened_large",
        "living_person",
    }
    assert client.get("/api/v1/funeral/progress?by=colour", headers=auth("planner")).status_code == 422


def test_targets_follow_the_data(client, auth, db):
    targets = {
        t["key"]: t
        for t in client.get("/api/v1/funeral/progress/targets", headers=auth("planner")).json()["targets"]
    }
    hardened = db.execute(
        "SELECT sum(grave_count), sum(grave_count) FILTER (WHERE remediation_status = 'remediated') FROM grave"
        " WHERE kind = 'hardened_large'"
    ).fetchone()
    t = targets["remediation_hardened_large"]
    assert (t["denominator"], t["numerator"], t["target"]) == (hardened[0], hardened[1], 100.0)
    assert t["value"] == round(100 * hardened[1] / hardened[0], 1) and t["met"] == (t["value"] >= 100)
    assert targets["remediation_road_rail"]["target"] == 80.0


def test_the_planners_answers_are_kept_until_the_data_changes(client, auth, db, monkeypatch):
    """The remediation targets are computed once per version of the grave tables: asked
    again (also as part of the indicators), the same answer, not computed again; after a
    change made elsewhere (another worker, a script at the database), the next answer has
    it. Visits to markers and edits of names meanwhile leave it as it is."""
    import time

    from gis_service.funeral import progress

    computed = []
    targets = progress.targets

    async def counting(db_session, area):
        computed.append(1)
        return await targets(db_session, area)

    monkeypatch.setattr(progress, "targets", counting)

    def hardened() -> dict:
        found = client.get("/api/v1/indicators", headers=auth("planner")).json()["indicators"]
        return {i["key"]: i for i in found}["remediation_hardened_large"]

    def settle(expected: int) -> None:  # a write's notification reaches the worker in a moment
        deadline = time.monotonic() + 5
        while len(computed) != expected and time.monotonic() < deadline:
            hardened()
            time.sleep(0.05)

    first = hardened()  # computed now, or kept from an earlier request of this worker
    kept = len(computed)
    client.get("/api/v1/funeral/progress/targets", headers=auth("planner"))
    again = hardened()  # the same figures; `as_of` is when it was asked
    assert again == first | {"as_of": again["as_of"]}
    assert len(computed) == kept
    code = db.execute("SELECT code FROM boundary_marker ORDER BY code LIMIT 1").fetchone()[0]
    visit = {"id": str(uuid.uuid4()), "condition": "intact", "observed_at": datetime.now(UTC).isoformat()}
    assert (
        client.post(f"/api/v1/markers/{code}/inspections", json=visit, headers=auth("inspector")).status_code
        == 201
    )
    hardened()
    assert len(computed) == kept  # a visit to a marker changes no grave
    grave = db.execute(
        "SELECT id FROM grave WHERE kind = 'hardened_large' AND remediation_status <> 'remediated' LIMIT 1"
    ).fetchone()[0]
    before = db.execute(
        "SELECT remediation_status, remediation_method, remediated_on FROM grave WHERE id = %s", (grave,)
    ).fetchone()
    db.execute(
        "UPDATE grave SET remediation_status = 'remediated', remediation_method = 'levelled',"
        " remediated_on = greatest(surveyed_on, CURRENT_DATE) WHERE id = %s",
        (grave,),
    )
    try:
        settle(kept + 1)
        assert (
            hardened()["numerator"]
            == first["numerator"]
            + db.execute("SELECT grave_count FROM grave WHERE id = %s", (grave,)).fetchone()[0]
        )
    finally:
        db.execute(
            "UPDATE grave SET remediation_status = %s, remediation_method = %s, remediated_on = %s WHERE id = %s",
            (*before, grave),
        )


def test_distance_coverage_is_kept_until_a_place_moves(client, auth, db, monkeypatch):
    """Officers edit descriptions all day: coverage, computed from where the places are, is
    not computed again for that; a place that moves is counted at once."""
    import time

    from gis_service.funeral import coverage

    computed = []
    distance = coverage.distance

    async def counting(*args, **kwargs):
        computed.append(1)
        return await distance(*args, **kwargs)

    monkeypatch.setattr(coverage, "distance", counting)
    url = "/api/v1/funeral/coverage/distance?radius_km=17"
    client.get(url, headers=auth("planner"))
    kept = len(computed)
    place = db.execute(
        "SELECT id FROM coverage_place WHERE location_source = 'demo' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    officer = auth("placename_officer")
    etag = client.get(f"/api/v1/place-names/{place}", headers=officer).headers["etag"]
    r = client.patch(
        f"/api/v1/place-names/{place}",
        json={"location_description": "村委会旁", "reason": "description"},
        headers=officer | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    client.get(url, headers=auth("planner"))
    assert len(computed) == kept  # a description is not a position
    # the register gets the place's own position (until now the demo's stood in for it)
    db.execute(
        "UPDATE place_name p SET geom = ST_Translate(d.geom, 0.01, 0) FROM demo_place_location d"
        " WHERE d.place_name_id = p.id AND p.id = %s",
        (place,),
    )
    try:
        deadline = time.monotonic() + 5
        while len(computed) == kept and time.monotonic() < deadline:
            client.get(url, headers=auth("planner"))
            time.sleep(0.05)
        assert len(computed) == kept + 1  # placed at the database: the next answer counts it
    finally:
        db.execute("UPDATE place_name SET geom = NULL WHERE id = %s", (place,))

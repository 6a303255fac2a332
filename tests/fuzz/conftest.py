"""Records for the document tests to read."""

import uuid
from datetime import date

import pytest


@pytest.fixture
def one_of_each(client, auth, db):
    """A record in the lists a fresh database leaves empty."""
    today = str(date.today())
    made = [
        client.post(
            "/api/v1/disputes",
            json={
                "title": "链接测试 link walk",
                "line_code": "150602-150603",
                "parties": ["150602", "150603"],
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[109.70, 39.60], [109.71, 39.60], [109.71, 39.61], [109.70, 39.60]]],
                },
                "opened_on": today,
            },
            headers=auth("inspector"),
        ),
        client.post(
            "/api/v1/joint-inspections",
            json={
                "line_code": "150000-610000",
                "kind": "scheduled",
                "planned_on": today,
                "sides": ["150000", "610000"],
            },
            headers=auth("inspector"),
        ),
        client.post(
            "/api/v1/place-names/requests",
            json={
                "kind": "naming",
                "applicant": "link walk",
                "reason": "a record to follow",
                "proposal": {
                    "name": f"链{uuid.uuid4().hex[:4]}村",
                    "level": "village",
                    "admin_code": "150602001",
                },
            },
            headers=auth("placename_officer"),
        ),
        client.post(
            "/api/v1/place-name-signs",
            json={
                "code": "SGN-" + uuid.uuid4().hex[:8],
                "place_name_id": db.execute(
                    "SELECT id FROM place_name WHERE unit_code = '150621'"
                ).fetchone()[0],
                "text_zh": "达拉特旗",
                "romanization": "DALAD QI",
                "lon": 110.03,
                "lat": 40.40,
            },
            headers=auth("placename_officer"),
        ),
        # the register as it stands, as a bureau's table: an edition with no difference
        client.post(
            "/api/v1/register/editions",
            files={"file": ("register.csv", _register_table(db))},
            data={"as_of": today},
            headers=auth("placename_officer"),
        ),
    ]
    assert [r.status_code for r in made] == [201] * len(made), [r.text for r in made]


def _register_table(db) -> bytes:
    rows = db.execute(
        "SELECT code, name FROM admin_unit WHERE valid_to IS NULL AND level IN ('township', 'village') ORDER BY code"
    ).fetchall()
    return ("code,name\n" + "".join(f"{code},{name}\n" for code, name in rows)).encode()

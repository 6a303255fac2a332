"""Who approves a name decides which bureau takes a naming request's approval steps
(placenames/approval.py, after the 2022 Regulations on the Administration of Place Names,
art. 12): a banner's officer prepares a request for a place of the banner; the approval is
recorded, announced and filed by the approving unit's bureau: the banner for a village,
the city for a street of a city district, the served unit for what the province approves.
Each bureau lists what waits for it; the table is the deployment's to edit."""

from __future__ import annotations

from datetime import date

import pytest

from tests.names import unique_specific

DALAD, DONGSHENG, CITY = "150621", "150602", "150600"
BASE = "/api/v1/place-names"
APPROVAL = {
    "approval_body": "人民政府",
    "approval_document": "政发〔2026〕1号",
    "approval_date": str(date.today()),
    "proposal": {"romanization": "Xinming", "location_description": "镇东"},
}


@pytest.fixture(scope="module")
def officers(banner_account):
    return {unit: banner_account("placename_officer", unit) for unit in (DALAD, DONGSHENG, CITY)}


def _request(
    client, headers, *, name: str, admin_code: str, category: str | None, level: str | None = None
) -> dict:
    proposal = {"name": name, "admin_code": admin_code, "level": level or "other"}
    if category:
        proposal["category_code"] = category
    r = client.post(
        f"{BASE}/requests",
        json={"kind": "naming", "applicant": "申请人", "reason": "新建", "proposal": proposal},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _to_approval(client, headers, request_id: int) -> None:
    for body in (
        {"to": "review"},
        {"to": "approval", "expert_opinion": "同意", "consultation": "已征求意见"},
    ):
        r = client.post(f"{BASE}/requests/{request_id}/advance", json=body, headers=headers)
        assert r.status_code == 200, r.text


def _announce(client, headers, request_id: int):
    return client.post(
        f"{BASE}/requests/{request_id}/advance", json={"to": "announcement", **APPROVAL}, headers=headers
    )


def _waiting(client, headers) -> set[int]:
    return {
        r["id"]
        for r in client.get(f"{BASE}/requests", params={"waiting": True}, headers=headers).json()["requests"]
    }


def test_the_table_cites_the_regulations(client, auth):
    rules = {
        r["category_code"]: r
        for r in client.get(f"{BASE}/approval-rules", headers=auth("viewer")).json()["rules"]
    }
    assert rules["32"]["level"] == "county" and "第十二条第（三）项" in rules["32"]["basis_zh"]
    assert rules["61"]["level"] == "county_or_city" and "第十二条第（五）项" in rules["61"]["basis_zh"]
    assert rules["23"]["level"] == "state" and "Art. 12(2)" in rules["23"]["basis_en"]
    assert not any(r["edited"] for r in rules.values())


def test_a_banners_village_is_approved_by_the_banner(client, officers):
    req = _request(
        client, officers[DALAD], name=f"{unique_specific()}嘎查", admin_code=DALAD + "100", category="32"
    )
    assert req["approval"]["unit"] == DALAD and req["next_step_by"] == DALAD and req["yours"]
    assert (
        client.post(
            f"{BASE}/requests/{req['id']}/advance", json={"to": "review"}, headers=officers[DONGSHENG]
        ).status_code
        == 403
    )
    assert req["id"] in _waiting(client, officers[DALAD]) and req["id"] not in _waiting(
        client, officers[DONGSHENG]
    )
    _to_approval(client, officers[DALAD], req["id"])
    announced = _announce(client, officers[DALAD], req["id"])
    assert announced.status_code == 200, announced.text


def test_a_districts_street_is_approved_by_the_city(client, officers):
    req = _request(
        client,
        officers[DONGSHENG],
        name=f"{unique_specific()}路",
        admin_code=DONGSHENG + "001",
        category="61",
    )
    assert req["approval"] == req["approval"] | {"level": "county_or_city", "unit": CITY}
    _to_approval(client, officers[DONGSHENG], req["id"])  # the district prepares it
    refused = _announce(client, officers[DONGSHENG], req["id"])
    assert refused.status_code == 403 and "150600" in refused.json()["message"]
    assert req["id"] in _waiting(client, officers[CITY]) and req["id"] not in _waiting(
        client, officers[DONGSHENG]
    )
    assert _announce(client, officers[CITY], req["id"]).status_code == 200
    # a banner (a county, not a district) approves its own streets
    banner = _request(
        client, officers[DALAD], name=f"{unique_specific()}街", admin_code=DALAD + "100", category="61"
    )
    assert banner["approval"]["unit"] == DALAD


def test_what_the_province_approves_is_recorded_by_the_served_unit(client, officers):
    req = _request(
        client, officers[DALAD], name=f"{unique_specific()}河", admin_code=DALAD + "100", category="11"
    )
    assert req["approval"]["level"] == "province" and req["approval"]["unit"] == CITY
    _to_approval(client, officers[DALAD], req["id"])
    assert _announce(client, officers[DALAD], req["id"]).status_code == 403
    assert _announce(client, officers[CITY], req["id"]).status_code == 200


def test_the_table_is_the_deployments_to_edit(client, auth, banner_account):
    rule = {
        "level": "city",
        "basis_zh": "自治区规定：嘎查村名称由盟市人民政府批准（示例）",
        "basis_en": "example",
    }
    assert (
        client.put(f"{BASE}/approval-rules/32", json=rule, headers=banner_account("admin", DALAD)).status_code
        == 403
    )
    edited = client.put(f"{BASE}/approval-rules/32", json=rule, headers=auth("admin"))
    assert edited.status_code == 200, edited.text
    try:
        rules = {r["category_code"]: r for r in edited.json()["rules"]}
        assert rules["32"]["edited"] and rules["32"]["level"] == "city"
        req = _request(
            client,
            auth("placename_officer"),
            name=f"{unique_specific()}村",
            admin_code=DALAD + "100",
            category="32",
        )
        assert req["approval"]["unit"] == CITY
        assert client.put(f"{BASE}/approval-rules/99", json=rule, headers=auth("admin")).status_code == 404
        bad = client.put(
            f"{BASE}/approval-rules/32", json={**rule, "level": "village"}, headers=auth("admin")
        )
        assert bad.status_code == 422
    finally:
        back = {"level": "county", "basis_zh": rules["3"]["basis_zh"], "basis_en": rules["3"]["basis_en"]}
        assert client.put(f"{BASE}/approval-rules/32", json=back, headers=auth("admin")).status_code == 200

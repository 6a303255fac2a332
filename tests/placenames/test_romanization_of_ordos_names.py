"""Romanisation of real Ordos names from the register: each with its expected form, the
parts that must be left for review, and where the form comes from (official or the rules
applied, marked as not official)."""

import csv
from pathlib import Path

import pytest

CASES = list(
    csv.DictReader((Path(__file__).parent / "data" / "romanization_cases.csv").open(encoding="utf-8"))
)


def test_at_least_forty_real_names_each_with_a_source():
    assert len(CASES) >= 40
    assert all(c["source"] and c["official"] in ("yes", "no") for c in CASES)
    assert all("not official" in c["source"] for c in CASES if c["official"] == "no")


def test_every_case_is_a_name_in_the_register(db):
    names = [c["name"] for c in CASES]
    found = {n for (n,) in db.execute("SELECT DISTINCT name FROM place_name WHERE name = ANY(%s)", (names,))}
    assert sorted(set(names) - found) == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_romanization_of_a_register_name(client, auth, case):
    r = client.get(
        "/api/v1/place-names/romanize",
        params={"name": case["name"], "level": case["level"]},
        headers=auth("viewer"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["romanization"] == case["expected"], case["source"]
    expected_review = {tuple(x.split(":")) for x in case["review"].split("|") if x}
    assert {(x["part"], x["reason"]) for x in body["review"]} == expected_review

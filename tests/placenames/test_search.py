"""Search ranking over the real register: Chinese, pinyin, initials, romanised forms,
typos, and filters."""

import pytest

BASE = "/api/v1/place-names"


def _search(client, auth, q, **params):
    r = client.get(BASE, params={"q": q, **params}, headers=auth("viewer"))
    assert r.status_code == 200, r.text
    return r.json()["results"]


@pytest.mark.parametrize(
    ("query", "expected", "match"),
    [
        ("东胜区", "东胜区", "exact name"),
        ("东胜", "东胜区", "name starts with the query"),  # the district before its streets
        ("胜区", "东胜区", "name contains the query"),
        ("dsq", "东胜区", "pinyin initials"),
        ("dongsheng", "东胜区", "pinyin starts with the query"),
        ("Dongsheng Qu", "东胜区", "pinyin starts with the query"),
        ("Ordos", "鄂尔多斯市", "romanised form starts with the query"),
        ("Ejin Horo", "伊金霍洛旗", "romanised form starts with the query"),
        ("东圣区", "东胜区", "same sound"),  # a homophone typo
        ("dongshengq", "东胜区", "pinyin starts with the query"),
        ("kangbashy", "康巴什区", "similar spelling"),  # a spelling typo
    ],
)
def test_ranked_search(client, auth, query, expected, match):
    results = _search(client, auth, query)
    assert results, query
    assert results[0]["name"] == expected, [r["name"] for r in results[:5]]
    assert results[0]["match"] == match


def test_filters_and_result_fields(client, auth):
    results = _search(client, auth, "社区", admin_code="150602", limit=50)
    assert results and all(r["admin_code"].startswith("150602") for r in results)
    assert all(r["name"].endswith("社区") or "社区" in r["name"] for r in results)
    villages = _search(client, auth, "嘎查", category="32", limit=50)
    assert villages and all(r["category_code"] == "32" for r in villages)
    standard = _search(client, auth, "东胜", status="cancelled")
    assert all(r["status"] == "cancelled" for r in standard)
    county = _search(client, auth, "达拉特旗")[0]
    assert county["bbox"] and county["lon"] and county["admin_name"] == "鄂尔多斯市"


@pytest.mark.parametrize("q", ["%", "_", "\\", "%%%"])
def test_wildcards_are_literal(client, auth, q):
    """LIKE wildcards in a query match themselves, not everything."""
    assert _search(client, auth, q) == []


@pytest.mark.parametrize("q", ["' OR 1=1 --", "东胜'; DROP TABLE place_name; --", "x) UNION SELECT 1 --"])
def test_injection_attempts_are_plain_text(client, auth, db, q):
    before = db.execute("SELECT count(*) FROM place_name").fetchone()[0]
    results = _search(client, auth, q)
    assert len(results) <= 20
    assert db.execute("SELECT count(*) FROM place_name").fetchone()[0] == before


def test_query_length_is_bounded(client, auth):
    assert client.get(BASE, params={"q": "东" * 51}, headers=auth("viewer")).status_code == 422

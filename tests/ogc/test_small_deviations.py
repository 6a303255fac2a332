"""Small deviations from what OGC clients expect: HEAD answered like GET (without a body)
on every read route, the landing page at /ogc/ as well as /ogc, and a bbox on a layer
without geometry refused instead of ignored."""

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/ogc",
        "/ogc/collections",
        "/ogc/collections/county_boundary",
        "/ogc/collections/county_boundary/items?limit=2",
        "/api/v1/layers",
        "/healthz",
    ],
)
def test_head_is_answered_like_get_without_a_body(client, auth, url):
    get = client.get(url, headers=auth("admin"))
    head = client.head(url, headers=auth("admin"))
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_on_a_single_feature_and_an_editable_layer(client, auth, db):
    code = db.execute("SELECT code FROM admin_unit WHERE level = 'county' ORDER BY code LIMIT 1").fetchone()[
        0
    ]
    assert (
        client.head(f"/ogc/collections/county_boundary/items/{code}", headers=auth("admin")).status_code
        == 200
    )
    assert client.head("/ogc/collections/boundary_dispute/items", headers=auth("admin")).status_code == 200
    # refusals stay refusals
    assert client.head("/ogc/collections/county_boundary/items").status_code == 401


def test_the_landing_page_answers_with_and_without_the_slash(client):
    plain, slash = client.get("/ogc"), client.get("/ogc/", follow_redirects=False)
    assert slash.status_code == 200 and slash.json()["links"] == plain.json()["links"]


@pytest.mark.parametrize(
    "url",
    [
        "/ogc/collections/township_unit/items?bbox=109,39,110,40",
        "/api/v1/layers/township_unit/items?bbox=109,39,110,40",
        "/api/v1/layers/township_unit/export.csv?bbox=109,39,110,40",
    ],
)
def test_a_bbox_on_a_layer_without_geometry_is_refused(client, auth, url):
    r = client.get(url, headers=auth("admin"))
    assert r.status_code == 400 and "no geometry" in r.json()["message"] and r.json()["message_zh"]


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # a browser
        ("text/html;q=0.5, application/json", False),
        ("application/json;q=0.1, text/html", True),
        ("application/geo+json, application/json", False),
        ("*/*", False),
        ("", False),
    ],
)
def test_accept_q_values_choose_the_format(client, accept, html):
    r = client.get("/ogc", headers={"Accept": accept})
    assert r.headers["content-type"].startswith("text/html") is html


def test_collections_collection_and_conformance_link_to_their_pages(client, auth):
    for url in ("/ogc/collections", "/ogc/collections/county_boundary", "/ogc/conformance"):
        links = client.get(url, headers=auth("viewer")).json()["links"]
        rels = {(link["rel"], link["type"]) for link in links}
        assert ("self", "application/json") in rels and ("alternate", "text/html") in rels, url

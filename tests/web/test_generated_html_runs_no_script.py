"""Every HTML page the service writes shows text from the database as text: names that
are script (a template-literal `${…}`, a tag with an event handler, a closing script tag)
are put in a facility, a restricted zone and a dispute, and each page that shows them is
opened in Chromium, which must run none of it. (The planner report shows counts and unit
names only; the joint-inspection report and sign-in pages escape every value the same way
as the OGC pages.)"""

import uuid

import pytest

from tests.web.test_web_map import browser  # noqa: F401  (one Chromium for the module)

PAYLOADS = [
    "${window.__pwned=(window.__pwned||0)+1}",
    "`;window.__pwned=2;`",
    "<img src=x onerror=window.__pwned=3>",
    "</script><script>window.__pwned=4</script>",
    '"><svg onload=window.__pwned=5>',
]
PAGES = [
    ("/api/v1/funeral/planner-map.html?radius_km=30", "planner"),
    ("/ogc/collections/funeral_facility/items?f=html&limit=1000", "admin"),
    ("/ogc/collections/boundary_dispute/items?f=html&limit=1000", "viewer"),
    ("/ogc/collections/restricted_zone/items?f=html&limit=1000", "planner"),
]


@pytest.fixture(scope="module")
def hostile_names(client, auth, db):
    tag = uuid.uuid4().hex[:6]
    codes = []
    for i, payload in enumerate(PAYLOADS):
        code = f"X{tag}{i}"
        facility = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [109.9 + i / 100, 39.8]},
            "properties": {
                "code": code,
                "name": f"墓地{payload}",
                "facility_type": "ash_hall",
                "status": "operating",
            },
        }
        r = client.post("/ogc/collections/funeral_facility/items", json=facility, headers=auth("admin"))
        assert r.status_code == 201, r.text
        dispute = {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[109.9, 39.6], [109.91, 39.6], [109.91, 39.61], [109.9, 39.6]]],
            },
            "properties": {
                "title": f"争议{payload}",
                "parties": ["150602", "150627"],
                "opened_on": "2026-10-01",
            },
        }
        assert (
            client.post(
                "/ogc/collections/boundary_dispute/items", json=dispute, headers=auth("inspector")
            ).status_code
            == 201
        )
        codes.append(code)
    rows = "\n".join(
        f'{code}Z,"区{p.replace(chr(34), chr(34) * 2)}",farmland,"POLYGON((109.8 39.7,109.81 39.7,109.81 39.71,109.8 39.7))"'
        for code, p in zip(codes, PAYLOADS, strict=True)
    )
    r = client.post(
        "/api/v1/funeral/import/zones",
        files={"file": ("zones.csv", f"code,name,type,wkt\n{rows}\n".encode())},
        headers=auth("admin"),
    )
    assert r.status_code == 201, r.text
    yield codes
    db.execute("DELETE FROM funeral_facility WHERE code = ANY(%s)", (codes,))
    db.execute("DELETE FROM restricted_zone WHERE code = ANY(%s)", ([c + "Z" for c in codes],))


@pytest.mark.parametrize(("url", "role"), PAGES, ids=[p[0].split("?")[0] for p in PAGES])
def test_no_page_runs_a_name(browser, client, auth, hostile_names, url, role):  # noqa: F811
    r = client.get(url, headers=auth(role) | {"Accept": "text/html"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"], r.text[:300]
    assert "pwned" in r.text  # the names reached the page (as text, it must turn out)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.route("**/*", lambda route: route.abort())  # nothing is fetched; inline code would still run
        page.set_content(r.text, wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None, f"a name ran as script in {url}"
    finally:
        context.close()

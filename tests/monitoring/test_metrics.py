"""/metrics in Prometheus text, from the service as `serve` runs it (two workers, one
metrics store): read with prometheus_client's parser, the counters move under a short
load whichever worker answers, and a caller that is neither local nor has the token is
refused."""

import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.service_process import served

TOKEN = "metrics-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def service(settings, prepared_db, db):
    with served(settings, db, 2, METRICS_TOKEN=TOKEN) as base:
        yield base


def _read(base: str) -> dict[tuple, float]:
    r = httpx.get(f"{base}/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), r.text[:300]
    out = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _sum(values: dict, name: str, **labels) -> float:
    return sum(
        v for (n, ls), v in values.items() if n == name and all((k, w) in ls for k, w in labels.items())
    )


def test_counters_move_under_load(service, tokens, db):
    before = _read(service)
    headers = {"Authorization": f"Bearer {tokens['inspector']}"}
    tile = "/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}"
    code = db.execute("SELECT code FROM boundary_marker ORDER BY code LIMIT 1 OFFSET 11").fetchone()[0]
    with httpx.Client(base_url=service, headers=headers) as c:
        for _ in range(20):
            assert c.get("/api/v1/layers/county_boundary/tiles/6/51/24").status_code in (200, 204)
        visit = {"id": str(uuid.uuid4()), "condition": "intact", "observed_at": datetime.now(UTC).isoformat()}
        assert c.post(f"/api/v1/markers/{code}/inspections", json=visit).status_code == 201
        assert c.post(f"/api/v1/markers/{code}/inspections", json=visit).status_code == 200  # a resend
        assert (
            c.post("/api/v1/auth/token", data={"username": "demo_viewer", "password": "wrong"}).status_code
            == 401
        )
    after = _read(service)
    moved = _sum(after, "gis_http_requests_total", route=tile, status="200") + _sum(
        after, "gis_http_requests_total", route=tile, status="204"
    )
    assert (
        moved
        - (
            _sum(before, "gis_http_requests_total", route=tile, status="200")
            + _sum(before, "gis_http_requests_total", route=tile, status="204")
        )
        == 20
    )
    assert _sum(after, "gis_http_request_duration_seconds_count", route=tile) >= 20
    hits = _sum(after, "gis_tile_cache_hits_total") - _sum(before, "gis_tile_cache_hits_total")
    misses = _sum(after, "gis_tile_cache_misses_total") - _sum(before, "gis_tile_cache_misses_total")
    assert hits + misses >= 20 and hits >= 18  # at most one render per worker
    assert (
        _sum(after, "gis_visits_received_total", asset="marker")
        - _sum(before, "gis_visits_received_total", asset="marker")
        == 1
    )
    assert (
        _sum(after, "gis_visit_resends_total", asset="marker")
        - _sum(before, "gis_visit_resends_total", asset="marker")
        == 1
    )
    assert (
        _sum(after, "gis_sign_in_failures_total", door="token")
        - _sum(before, "gis_sign_in_failures_total", door="token")
        == 1
    )
    # the gauges: both workers' memory, the pools, the change feed, the audit seal (each
    # worker samples its own every second)
    deadline = time.monotonic() + 10
    while after.get(("gis_change_feed_connected", ())) != 1 and time.monotonic() < deadline:
        time.sleep(0.5)
        after = _read(service)
    assert len({ls for (n, ls) in after if n == "gis_process_resident_memory_bytes"}) == 2
    assert _sum(after, "gis_process_resident_memory_bytes") > 50e6
    assert ("gis_change_feed_connected", ()) in after and after[("gis_change_feed_connected", ())] == 1
    assert _sum(after, "gis_db_pool_connections", state="open") >= 1
    assert ("gis_audit_unsealed_rows", ()) in after and ("gis_audit_seal_lag_seconds", ()) in after
    # no raw paths: every route label is a template or one of the two catch-alls
    routes = {dict(ls).get("route") for (n, ls) in after if n == "gis_http_requests_total"}
    assert code not in str(routes) and "unmatched" not in routes - {"unmatched"}


def test_an_outside_caller_needs_the_token(service):
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as outside:
        refused = outside.get(f"{service}/metrics")
        assert refused.status_code == 401 and refused.json()["message_zh"]
        wrong = outside.get(f"{service}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        allowed = outside.get(f"{service}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200 and "gis_http_requests_total" in allowed.text

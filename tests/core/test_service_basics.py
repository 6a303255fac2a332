"""Health, readiness, headers, and the error body for things that do not exist."""


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["ready"] is True


def test_security_headers_and_closed_cors(client):
    r = client.get("/map")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    r = client.options(
        "/api/v1/layers", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in r.headers


def test_unknown_path_is_a_json_404(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["message_zh"]


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    for path in [
        "/api/v1/admin-units",
        "/api/v1/layers/{layer_id}/items",
        "/api/v1/auth/token",
        "/api/v1/layers/{layer_id}/tiles/{z}/{x}/{y}",
        "/ogc/collections/{layer_id}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}",
    ]:
        assert path in spec["paths"]


def test_request_log_is_structured_and_has_no_secrets(client, capfd):
    import json

    client.post("/api/v1/auth/token", data={"username": "demo_viewer", "password": "demo-viewer"})
    client.get("/api/v1/layers/county_boundary/items?limit=1", headers={"Authorization": "Bearer abc"})
    err = capfd.readouterr().err
    lines = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert any(x.get("path") == "/api/v1/auth/token" and x.get("status") == 200 for x in lines)
    assert "demo-viewer" not in err and "Bearer" not in err

"""Each collection's schemas: the queryables (what a filter may name) and the feature
schema linked as `describedby`, both from the database's own column definitions, so
clients type a layer even while it is empty."""

import os
import subprocess
import sys

import pytest

from tests.ogc.test_what_clients_detect import requests_logged


def test_queryables_carry_date_formats_and_the_exact_geometry_type(client, auth):
    h = auth("admin")
    graves = client.get("/ogc/collections/grave/queryables", headers=h)
    assert graves.headers["content-type"] == "application/schema+json"
    props = graves.json()["properties"]
    assert props["remediated_on"] == {"title": "remediated_on", "type": "string", "format": "date"}
    assert props["grave_count"]["type"] == "integer"
    assert props["geometry"]["format"] == "geometry-point"
    disputes = client.get("/ogc/collections/boundary_dispute/queryables", headers=h).json()
    assert disputes["properties"]["geometry"]["format"] == "geometry-multipolygon"  # was geometry-polygon
    assert (
        "geometry"
        not in client.get("/ogc/collections/township_unit/queryables", headers=h).json()["properties"]
    )
    # GDAL reads the draft's list of ids, and accepts only application/json in answer
    assert {"id": "remediated_on"} in graves.json()["queryables"]
    as_json = client.get("/ogc/collections/grave/queryables", headers={**h, "Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"


def test_the_feature_schema_marks_types_and_required_fields(client, auth):
    h = auth("inspector")
    links = client.get("/ogc/collections/boundary_dispute", headers=h).json()["links"]
    described = [x["href"] for x in links if x["rel"].lower() == "describedby"]
    assert described and all(x.endswith("/ogc/collections/boundary_dispute/schema") for x in described)
    schema = client.get("/ogc/collections/boundary_dispute/schema", headers=h).json()
    props = schema["properties"]["properties"]
    assert props["required"] == ["title", "parties", "opened_on"]
    assert props["properties"]["opened_on"]["format"] == "date"
    assert props["properties"]["area_km2"] == {"title": "area_km2", "type": "number", "readOnly": True}
    assert props["properties"]["line_code"]["maxLength"] == 32
    assert schema["properties"]["geometry"]["properties"]["type"]["enum"] == ["MultiPolygon"]
    towns = client.get("/ogc/collections/township_unit/schema", headers=h).json()
    assert towns["properties"]["geometry"] == {"type": "null"}
    assert client.get("/ogc/collections/nope/schema", headers=h).status_code == 404
    assert client.get("/ogc/collections/boundary_dispute/schema").status_code == 401


@pytest.mark.parametrize("gdal", ["ogrinfo", "pyogrio"])
def test_gdal_types_the_editable_layer_from_its_schema(live_server, tokens, tmp_path, gdal):
    """GDAL 3.6 (Debian's ogrinfo) and 3.12 (pyogrio) read the schema: the dispute layer is
    typed whether or not it holds a feature, which QGIS needs before the first edit."""
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Bearer {tokens['inspector']}\n")
    env = {**os.environ, "GDAL_HTTP_HEADER_FILE": str(headers), "CPL_DEBUG": "OFF"}
    url = f"OAPIF:{live_server}/ogc"
    if gdal == "ogrinfo":
        args = ["ogrinfo", "-so", url, "boundary_dispute"]
    else:
        code = "import sys, pyogrio; i = pyogrio.read_info(sys.argv[1], layer='boundary_dispute'); "
        code += "print(dict(zip(i['fields'], i['dtypes'])))"
        args = [sys.executable, "-c", code, url]
    with requests_logged() as seen:
        r = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert any(x.path == "/ogc/collections/boundary_dispute/schema" for x in seen)
    if gdal == "ogrinfo":
        assert "opened_on: Date" in r.stdout and "area_km2: Real" in r.stdout
    else:
        assert "'opened_on': 'datetime64[D]'" in r.stdout and "'area_km2': 'float64'" in r.stdout


def test_param_names_not_values_reach_the_request_log(client, auth):
    with requests_logged() as seen:
        client.get("/ogc/collections/grave/items?limit=1&filter=code%3D%27secret%27", headers=auth("planner"))
    line = next(x for x in seen if x.path == "/ogc/collections/grave/items")
    assert line.params == ["filter", "limit"] and "secret" not in str(line.__dict__)

"""Debian's QGIS 3.22 (python3-qgis, offscreen) and OWSLib against the running service.

QGIS 3.22 cannot send a bearer token; it signs in with a user name and password (HTTP
Basic). It opens every collection the caller may read, types each from its first page
of features and renders them. Two things it cannot do, which the test states: its OAPIF
provider offers no editing (Part 4 edits are shown with OWSLib instead), and it reads no
schema, so it types an empty layer with no fields (GDAL does read the schema; see
tests/ogc/test_schemas.py)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
QGIS_PYTHON = "/usr/bin/python3"  # Debian's, where python3-qgis lives

QGIS_SCRIPT = r"""
import json, os, sys
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsRectangle, QgsVectorDataProvider, QgsVectorLayer, Qgis)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

base, user, password, png = sys.argv[1:5]
ids = sys.argv[5:]
app = QgsApplication([], False)
app.initQgis()
out = {"version": Qgis.QGIS_VERSION, "layers": {}}
layers = {}
for name in ids:
    uri = f"url='{base}/ogc' typename='{name}' username='{user}' password='{password}'"
    layer = QgsVectorLayer(uri, name, "OAPIF")
    caps = layer.dataProvider().capabilities() if layer.isValid() else 0
    out["layers"][name] = {
        "valid": layer.isValid(),
        "count": layer.featureCount() if layer.isValid() else None,
        "fields": {f.name(): f.typeName() for f in layer.fields()},
        "geometry": layer.geometryType() if layer.isValid() else None,
        "can_add": bool(caps & QgsVectorDataProvider.AddFeatures),
    }
    layers[name] = layer
drawn = [layers[n] for n in ("boundary_marker", "county_boundary") if n in layers]
settings = QgsMapSettings()
settings.setLayers(drawn)
settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4490"))
settings.setExtent(QgsRectangle(106.4, 37.3, 111.5, 40.9))
settings.setOutputSize(QSize(900, 700))
settings.setBackgroundColor(QColor("white"))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
out["saved"] = job.renderedImage().save(png)
print(json.dumps(out), flush=True)
# QGIS 3.22 can crash while Python tears down its Qt objects; everything is out by now
os._exit(0)
"""


def test_qgis_3_22_reads_and_renders_the_collections(live_server, client, auth, tmp_path):
    h = auth("inspector")
    ids = [c["id"] for c in client.get("/ogc/collections", headers=h).json()["collections"]]
    png = ARTIFACTS / "qgis-ogc-layers.png"
    ARTIFACTS.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),  # QGIS keeps its profile under the home folder
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    r = subprocess.run(
        [QGIS_PYTHON, "-c", QGIS_SCRIPT, live_server, "demo_inspector", "demo-inspector", str(png), *ids],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["version"].startswith("3.22")
    seen = out["layers"]
    assert all(x["valid"] for x in seen.values()), {k: v for k, v in seen.items() if not v["valid"]}
    counties = client.get("/ogc/collections/county_boundary/items?limit=1", headers=h).json()["numberMatched"]
    assert seen["county_boundary"]["count"] == counties
    assert seen["county_boundary"]["fields"]["area_km2"] == "Real"
    assert seen["boundary_marker"]["fields"]["seq"] == "Integer"
    assert seen["boundary_marker"]["geometry"] == 0  # points
    # What QGIS 3.22 cannot do: no layer is editable through its OAPIF provider.
    assert not any(x["can_add"] for x in seen.values())
    assert out["saved"] and png.exists()
    extrema = ImageStat.Stat(Image.open(png).convert("L")).extrema[0]
    assert extrema[0] < 128 < extrema[1]  # drawn lines and points on white, not a blank image


def test_owslib_edits_a_dispute(live_server, client, auth, tokens):
    """Part 4 through OWSLib: create and replace a dispute; its deletion is refused (the
    register keeps every dispute with its timeline)."""
    from owslib.ogcapi.features import Features

    api = Features(f"{live_server}/ogc", headers={"Authorization": f"Bearer {tokens['inspector']}"})
    title = "OWSLib 编辑测试"
    feature = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[109.5, 39.5], [109.51, 39.5], [109.51, 39.51], [109.5, 39.5]]],
        },
        "properties": {"title": title, "parties": ["150602", "150627"], "opened_on": "2026-11-30"},
    }
    assert api.collection_item_create("boundary_dispute", json.dumps(feature))
    listed = api.collection_items("boundary_dispute", filter=f"title = '{title}'", limit=5)["features"]
    assert len(listed) == 1
    fid = str(listed[0]["id"])
    replaced = {**feature, "properties": {**feature["properties"], "status": "negotiating"}}
    # an update names the version it changes: OWSLib sends the ETag it read as If-Match
    etag = client.get(f"/ogc/collections/boundary_dispute/items/{fid}", headers=auth("viewer")).headers[
        "etag"
    ]
    api = Features(
        f"{live_server}/ogc", headers={"Authorization": f"Bearer {tokens['inspector']}", "If-Match": etag}
    )
    assert api.collection_item_update("boundary_dispute", fid, json.dumps(replaced))
    got = client.get(f"/ogc/collections/boundary_dispute/items/{fid}", headers=auth("viewer")).json()
    assert got["properties"]["status"] == "negotiating" and got["geometry"]["type"] == "MultiPolygon"
    etag = client.get(f"/ogc/collections/boundary_dispute/items/{fid}", headers=auth("viewer")).headers[
        "etag"
    ]
    api.headers["If-Match"] = etag
    with pytest.raises(RuntimeError, match="cannot be deleted"):
        api.collection_item_delete("boundary_dispute", fid)
    assert (
        client.get(f"/ogc/collections/boundary_dispute/items/{fid}", headers=auth("viewer")).status_code
        == 200
    )

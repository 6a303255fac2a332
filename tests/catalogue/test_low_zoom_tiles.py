"""Tiles over Ordos are drawn at every zoom, the smallest included: the lookup box of a
tile at the world's edge (z1 tile 1/1/0 spans lon 0..180) must not wrap round the
antimeridian with its margin, which left China's tiles empty at z1 and z2."""

import math

import pytest

ORDOS = (109.78, 39.61)


def _tile(z: int, lon: float, lat: float) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.mark.parametrize("z", range(0, 7))
def test_ordos_is_drawn_at_every_small_zoom(client, auth, z):
    x, y = _tile(z, *ORDOS)
    for url in (
        f"/api/v1/layers/county_boundary/tiles/{z}/{x}/{y}",
        f"/basemap/tiles/{z}/{x}/{y}",
    ):
        r = client.get(url, headers=auth("inspector"))
        assert r.status_code == 200 and len(r.content) > 100, (url, r.status_code, len(r.content))

"""Gauss-Krueger 3-degree zones for Ordos (zones 36 and 37)."""

import pytest

from gis_service.geodesy.gauss_kruger import epsg_for_zone, lonlat_to_gk, zone_for_lon


@pytest.mark.parametrize(
    ("lon", "zone"), [(107.0, 36), (108.0, 36), (109.4, 36), (109.6, 37), (111.2, 37), (106.4, 35)]
)
def test_zone_for_lon(lon, zone):
    assert zone_for_lon(lon) == zone


def test_epsg_codes_match_the_registry():
    assert epsg_for_zone(36) == 4524 and epsg_for_zone(37) == 4525
    assert epsg_for_zone(36, with_prefix=False) == 4545
    assert epsg_for_zone(37, with_prefix=False) == 4546
    with pytest.raises(ValueError):
        epsg_for_zone(50)


def test_central_meridian_has_the_false_easting_with_zone_prefix():
    gk = lonlat_to_gk(108.0, 39.5)
    assert gk["zone"] == 36
    assert gk["y"] == pytest.approx(36_500_000.0, abs=1e-3)
    # Meridian arc length to 39.5 N on GRS80 is about 4 373 km.
    assert 4_370_000 < gk["x"] < 4_376_000


def test_kangbashi_falls_in_zone_37():
    gk = lonlat_to_gk(109.86, 39.61)
    assert gk["zone"] == 37 and 37_400_000 < gk["y"] < 37_500_000

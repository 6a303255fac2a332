"""GCJ-02 conversion: the iterative inverse must undo the forward offset to < 0.5 m."""

import numpy as np
from pyproj import Geod

from gis_service.geodesy.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02

GEOD = Geod(ellps="GRS80")
# Ordos and a margin around it (its neighbours' counties reach these bounds).
LON = np.linspace(105.5, 112.5, 141)
LAT = np.linspace(36.5, 42.0, 111)


def _grid():
    lon, lat = np.meshgrid(LON, LAT)
    return lon.ravel(), lat.ravel()


def test_round_trip_error_under_half_a_metre_across_ordos():
    lon, lat = _grid()
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(g_lon, g_lat)
    _, _, dist = GEOD.inv(lon, lat, back_lon, back_lat)
    assert dist.max() < 0.5, f"worst round-trip error {dist.max():.4f} m"
    assert dist.max() < 0.01  # in practice the iteration reaches millimetres


def test_offset_is_hundreds_of_metres_around_ordos():
    lon, lat = _grid()
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    _, _, dist = GEOD.inv(lon, lat, g_lon, g_lat)
    assert dist.min() > 100 and dist.max() < 1000


def test_inverse_of_a_gcj_point_is_wgs_point_not_the_naive_subtraction():
    # Naively subtracting the offset computed at the GCJ point leaves metres of error;
    # the iteration must do better than that.
    g_lon, g_lat = 109.990, 39.817  # Ordos city centre in GCJ-02
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
    _, _, residual = GEOD.inv(g_lon, g_lat, float(f_lon), float(f_lat))
    assert residual < 0.001
    n_lon, n_lat = wgs84_to_gcj02(g_lon, g_lat)
    naive = (2 * g_lon - n_lon, 2 * g_lat - n_lat)
    _, _, naive_err = GEOD.inv(float(w_lon), float(w_lat), float(naive[0]), float(naive[1]))
    assert naive_err > residual


def test_scalars_and_arrays_both_work():
    lon, lat = gcj02_to_wgs84(110.0, 39.8)
    assert np.ndim(lon) == 0 and np.ndim(lat) == 0

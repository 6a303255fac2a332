"""Hillshade for the reference base map's low zooms, from the ETOPO 2022 grid (`atlas`).

The 5′ grid (about 9 km) is lit from the north-west at 45°, the shade resampled to a
finer grid, and each cell sorted into a shade class by how much darker or lighter it is than flat
ground. The classes become polygons (run-length boxes merged, then simplified), so the
hillshade travels in the same vector tiles as the rest of the base map and offline with
them. Flat ground gets no polygon: Ordos' plateau stays clear and only slopes are drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping

from gis_service.reference_data import atlas
from gis_service.reference_data.packages import write_feature_collection

AZIMUTH_DEG, ALTITUDE_DEG = 315.0, 45.0
EXAGGERATION = 5.0  # a 9-km grid flattens slopes; this brings valleys and escarpments back
FINEST_SPLIT = 4  # at most 4 × 4 cells per grid cell (1.25′, about 2 km)
MAX_CELLS = 400_000  # a province or the country is split less finely
# (shade class, lower and upper bound of lit-minus-flat), darkest first
CLASSES = [(-2, -2.0, -0.08), (-1, -0.08, -0.03), (1, 0.04, 2.0)]
M_PER_DEG = 111_320.0


def _resample(values: np.ndarray, split: int) -> np.ndarray:
    """Bilinear resampling to cells `split` times smaller (NaN spreads to its neighbours)."""
    rows, cols = values.shape

    def axis(n: int) -> np.ndarray:  # the new cells' centres in old-cell index units
        return np.clip((np.arange(n * split) + 0.5) / split - 0.5, 0, n - 1)

    by_col = np.array([np.interp(axis(cols), np.arange(cols), row) for row in values])
    return np.array([np.interp(axis(rows), np.arange(rows), col) for col in by_col.T]).T


def shade(grid: atlas.Grid) -> np.ndarray:
    """Lit minus flat, per grid cell: below 0 in shadow, above 0 facing the light."""
    z = grid.metres * EXAGGERATION
    lat = grid.south + (np.arange(z.shape[0]) + 0.5) * grid.step
    dy = grid.step * M_PER_DEG
    dx = (grid.step * M_PER_DEG * np.cos(np.radians(lat)))[:, None]
    dz_dy, dz_dx = np.gradient(z, dy, axis=0), np.gradient(z, axis=1) / dx
    az, alt = np.radians(AZIMUTH_DEG), np.radians(ALTITUDE_DEG)
    light = np.array([np.sin(az) * np.cos(alt), np.cos(az) * np.cos(alt), np.sin(alt)])
    lit = (-dz_dx * light[0] - dz_dy * light[1] + light[2]) / np.sqrt(dz_dx**2 + dz_dy**2 + 1)
    return lit - np.sin(alt)


def _polygons(mask: np.ndarray, west: float, south: float, cell: float):
    """The cells of `mask` as one simplified (multi)polygon."""
    boxes = []
    for i, row in enumerate(mask):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            boxes.append(
                box(west + start * cell, south + i * cell, west + end * cell, south + (i + 1) * cell)
            )
    if not boxes:
        return None
    merged = shapely.union_all(boxes)
    return shapely.set_precision(shapely.simplify(merged, cell * 0.6, preserve_topology=True), 1e-5)


def write_relief(out: Path, extent: tuple[float, float, float, float]) -> dict[str, int]:
    """relief.geojson in `out`: the shade polygons over `extent` (lon/lat)."""
    grid = atlas.elevation(extent)
    cells = grid.metres.size or 1
    split = int(max(1, min(FINEST_SPLIT, np.sqrt(MAX_CELLS / cells))))
    # shading the grid and then resampling the shade (not the elevation, whose slopes
    # would stay constant over each 5′ cell) gives class edges that follow the terrain
    values = _resample(shade(grid), split)
    cell = grid.step / split
    features = []
    for level, low, high in CLASSES:
        geom = _polygons((values >= low) & (values < high), grid.west, grid.south, cell)
        if geom is not None and not geom.is_empty:
            features.append({"type": "Feature", "properties": {"shade": level}, "geometry": mapping(geom)})
    write_feature_collection(out / "relief.geojson", features)
    return {"relief.geojson": len(features)}

"""The tile grids vector tiles are cut on, as OGC 2D Tile Matrix Sets (TMS 2.0).

WebMercatorQuad is the web's grid (EPSG:3857, one tile at matrix 0). CGCS2000Quad is the
geographic grid Chinese maps use (Tianditu's `c` set): EPSG:4490 degrees, two tiles of
180° at matrix 0, each matrix halving the cell; its tiles are cut from the stored
CGCS2000 geometry without reprojection. A matrix of the geographic grid has cells about
as wide as the next Web Mercator zoom's at the equator, so layer zoom ranges apply to it
one level up (`zoom_offset`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WEB_MERCATOR_HALF = 20037508.3427892  # metres from the origin to the edge of the world
METRES_PER_DEGREE = 2 * math.pi * 6378137 / 360
PIXEL = 0.00028  # metres: the standardised rendering pixel of scale denominators
TILE_SIZE = 256


@dataclass(frozen=True)
class Grid:
    id: str
    title: str
    uri: str | None
    crs: str
    srid: int
    ordered_axes: tuple[str, str]
    max_matrix: int
    zoom_offset: int  # the Web Mercator zoom a matrix corresponds to: matrix + offset

    def size(self, matrix: int) -> tuple[int, int]:
        """(columns, rows) of a tile matrix."""
        if self.srid == 3857:
            return 2**matrix, 2**matrix
        return 2 ** (matrix + 1), 2**matrix

    def contains(self, matrix: int, row: int, col: int) -> bool:
        if not 0 <= matrix <= self.max_matrix:
            return False
        cols, rows = self.size(matrix)
        return 0 <= row < rows and 0 <= col < cols

    def bounds(self, matrix: int, row: int, col: int) -> tuple[float, float, float, float]:
        """A tile's (minx, miny, maxx, maxy) in the grid's CRS, x east, y north."""
        if self.srid == 3857:
            span = 2 * WEB_MERCATOR_HALF / 2**matrix
            x0, y1 = -WEB_MERCATOR_HALF + col * span, WEB_MERCATOR_HALF - row * span
        else:
            span = 180 / 2**matrix
            x0, y1 = -180 + col * span, 90 - row * span
        return x0, y1 - span, x0 + span, y1

    def cell_size(self, matrix: int) -> float:
        if self.srid == 3857:
            return 2 * WEB_MERCATOR_HALF / TILE_SIZE / 2**matrix
        return 180 / TILE_SIZE / 2**matrix

    def tile_matrix_set(self) -> dict:
        """The grid as an OGC TMS 2.0 JSON document."""
        matrices = []
        for m in range(self.max_matrix + 1):
            cols, rows = self.size(m)
            cell = self.cell_size(m)
            metres = cell if self.srid == 3857 else cell * METRES_PER_DEGREE
            origin = [-WEB_MERCATOR_HALF, WEB_MERCATOR_HALF] if self.srid == 3857 else [90, -180]
            matrices.append(
                {
                    "id": str(m),
                    "scaleDenominator": metres / PIXEL,
                    "cellSize": cell,
                    "cornerOfOrigin": "topLeft",
                    "pointOfOrigin": origin,  # in the CRS's axis order (EPSG:4490: lat, lon)
                    "tileWidth": TILE_SIZE,
                    "tileHeight": TILE_SIZE,
                    "matrixWidth": cols,
                    "matrixHeight": rows,
                }
            )
        doc = {"id": self.id, "title": self.title, "crs": self.crs, "orderedAxes": list(self.ordered_axes)}
        if self.uri:
            doc["uri"] = self.uri
        if self.srid == 3857:
            doc["wellKnownScaleSet"] = "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"
        return doc | {"tileMatrices": matrices}


WEB_MERCATOR = Grid(
    id="WebMercatorQuad",
    title="Google Maps Compatible for the World",
    uri="http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad",
    crs="http://www.opengis.net/def/crs/EPSG/0/3857",
    srid=3857,
    ordered_axes=("X", "Y"),
    max_matrix=22,
    zoom_offset=0,
)
CGCS2000_QUAD = Grid(
    id="CGCS2000Quad",
    title="CGCS2000 经纬度格网 (geographic quad on EPSG:4490, as Tianditu's c set)",
    uri=None,  # not (yet) registered with the OGC: clients read the definition here
    crs="http://www.opengis.net/def/crs/EPSG/0/4490",
    srid=4490,
    ordered_axes=("Lat", "Lon"),
    max_matrix=21,
    zoom_offset=1,
)
GRIDS = {g.id: g for g in (WEB_MERCATOR, CGCS2000_QUAD)}

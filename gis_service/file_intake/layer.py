"""What every vector reader hands back: the features' attributes and geometries, and the
coordinate system they are in."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from gis_service.core.errors import BadRequest


@dataclass
class VectorLayer:
    crs: CRS
    records: list[dict] = field(default_factory=list)
    geometries: list[BaseGeometry | None] = field(default_factory=list)

    def add(self, record: dict, geometry: BaseGeometry | None) -> None:
        self.records.append(record)
        self.geometries.append(geometry)


def unreadable(kind: str, detail: str) -> BadRequest:
    """The 400 for a file that is not the format its bytes claim."""
    return BadRequest(
        f"The file cannot be read as {kind}: {detail}.",
        f"无法按 {kind} 读取该文件：{detail}。",
    )

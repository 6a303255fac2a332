"""The layer catalogue: one TOML file per map layer in layers/.

Each declaration says where a layer's rows come from and how it is shown and
guarded. The map, the items and tile endpoints (and later the OGC collections and
exports) are all generated from it, so a new layer is a file, not new code.
The catalogue reloads itself when a file changes; no restart needed.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gis_service.auth import jurisdiction, roles

log = logging.getLogger("gis_service.catalogue")

IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
LAYER_ID = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")  # no dots: older QGIS breaks on them


def _check_ident(value: str) -> str:
    if not IDENT.match(value):
        raise ValueError(f"'{value}' is not a plain lower-case SQL identifier")
    return value


NATIVE_MAX_ZOOM = 14


class Text(BaseModel):
    zh: str
    en: str


class Style(BaseModel):
    model_config = ConfigDict(extra="forbid")

    color: str = "#3388ff"
    weight: float = 2
    opacity: float = 1
    fill_color: str | None = None
    fill_opacity: float = 0.0
    dash_array: str | None = None
    radius: float = 6
    label_class: str | None = None
    # Colour features by a property's value, e.g. markers by condition.
    color_by: str | None = None
    colors: dict[str, str] = {}
    label_min_zoom: int = Field(default=0, ge=0, le=22)
    label_max_zoom: int = Field(default=22, ge=0, le=22)


class LayerDeclaration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: Text
    description: Text | None = None
    source: str = Field(description="table or view holding the rows")
    id_column: str
    geometry_column: str | None = None
    geometry_type: Literal[
        "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "none"
    ]
    properties: list[str]
    filterable: list[str] = []
    label_property: str | None = None
    # A date or timestamp property that OGC API `datetime` filters on (and the temporal extent).
    temporal_property: str | None = None
    label_point: tuple[str, str] | None = None  # (lon column, lat column)
    min_zoom: int = Field(default=0, ge=0, le=22)
    max_zoom: int = Field(default=22, ge=0, le=22)
    tile_feature_limit: int = Field(default=10000, ge=1)
    tile_buffer: int = Field(default=64, ge=0, le=1024)
    # A table (id column, geom) of the layer's polygons cut into small pieces: a tile then
    # clips only the pieces it touches instead of a whole large polygon.
    tile_pieces: str | None = None
    # A table (id column, zoom, geom) of the layer's polygons simplified together per zoom,
    # drawn below PIECES_FROM_ZOOM: neighbours keep their shared edges as they simplify.
    tile_generalised: str | None = None
    # A point layer's position already in Web Mercator (a stored generated column):
    # Web Mercator tiles draw it as it is instead of reprojecting every point they hold.
    mercator_column: str | None = None
    read_roles: list[str] = ["*"]
    # Columns holding the division codes a row belongs to (one code, a line's two joined by
    # '-', or a list): with READ_SCOPE=unit an account of a unit reads the rows with one
    # of them within its unit. A layer without them is reference, read whole by everyone.
    unit_columns: list[str] = []
    # Set by the service, never in a file: the code prefix this copy of the layer is read
    # under (read_by). Tile keys and ETags name it, so each unit's tiles are its own.
    read_within: str | None = Field(default=None, pattern=r"^[0-9]{0,6}$")
    edit_roles: list[str] = []
    # Editing through OGC API Part 4 writes to this table (the source may be a view).
    edit_table: str | None = None
    editable_properties: list[str] = []
    default_visible: bool = True
    # Roles whose map opens with the layer on, when it differs by role (an officer's map
    # opens on the place names, an inspector's on the markers); unset: default_visible.
    default_for_roles: list[str] | None = None
    # How the web map draws it: vector tiles, or (for point layers of moderate size)
    # clustered markers loaded through the items endpoint.
    map_renderer: Literal["tiles", "cluster"] = "tiles"
    # Tables whose writes change this layer (tile cache and ETags follow their versions).
    depends_on: list[str] = []
    order: int = 100
    style: Style = Style()

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not LAYER_ID.match(v):
            raise ValueError(f"layer id '{v}' must be lower case letters, digits, _ or - (no dots)")
        return v

    @field_validator(
        "source",
        "id_column",
        "geometry_column",
        "label_property",
        "edit_table",
        "temporal_property",
        "tile_pieces",
        "tile_generalised",
        "mercator_column",
    )
    @classmethod
    def _idents(cls, v: str | None) -> str | None:
        return None if v is None else _check_ident(v)

    @field_validator("properties", "filterable", "depends_on", "editable_properties", "unit_columns")
    @classmethod
    def _ident_lists(cls, v: list[str]) -> list[str]:
        return [_check_ident(x) for x in v]

    @model_validator(mode="after")
    def _consistent(self) -> LayerDeclaration:
        if (self.geometry_type == "none") != (self.geometry_column is None):
            raise ValueError("geometry_column must be set exactly when geometry_type is not 'none'")
        unknown = set(self.filterable) - set(self.properties) - {self.id_column}
        if unknown:
            raise ValueError(f"filterable names columns not in properties: {sorted(unknown)}")
        if self.temporal_property and self.temporal_property not in self.properties:
            raise ValueError(f"temporal_property '{self.temporal_property}' is not in properties")
        if self.mercator_column and self.geometry_type not in ("Point", "MultiPoint"):
            raise ValueError(
                "mercator_column is for point layers (lines and areas are cut to the tile first)"
            )
        return self

    @cached_property
    def fingerprint(self) -> str:
        """The declaration as text, computed once: part of tile cache keys and ETags."""
        return self.model_dump_json()

    @property
    def has_geometry(self) -> bool:
        return self.geometry_type != "none"

    @property
    def native_max_zoom(self) -> int:
        """The deepest zoom the map (and an offline area) fetches; deeper zooms draw these
        tiles enlarged. At z14 a tile's 4096 units are about 0.5 m in Ordos: finer than
        any position we store needs for drawing, and 4^(z-14) times fewer tiles to fetch."""
        return min(self.max_zoom, NATIVE_MAX_ZOOM)

    @field_validator("read_roles", "edit_roles", "default_for_roles")
    @classmethod
    def _known_roles(cls, names: list[str] | None) -> list[str] | None:
        """Role lists name roles of auth/roles.py (or "*", or "anonymous"): a typo fails the load."""
        unknown = sorted(set(names or []) - {*roles.ROLES, roles.ANONYMOUS, "*"})
        if unknown:
            raise ValueError(f"unknown role(s) {', '.join(unknown)}; the roles are {', '.join(roles.ROLES)}")
        return names

    def read_by(self, prefix: str | None) -> LayerDeclaration:
        """The layer as a caller whose reads are limited to `prefix` reads it
        (auth/jurisdiction.read_prefix): itself when nothing limits it."""
        if prefix is None or not self.unit_columns:
            return self
        key = (self.fingerprint, prefix)
        found = _READ_BY.get(key)
        if found is None:
            if len(_READ_BY) > 4096:  # declarations reloaded many times over: start afresh
                _READ_BY.clear()
            # validated, so the prefix is digits only (SQL carries it as a literal)
            found = LayerDeclaration.model_validate(self.model_dump() | {"read_within": prefix})
            found.__dict__["fingerprint"] = self.fingerprint  # the declaration's, as cached
            _READ_BY[key] = found
        return found

    def readable_by(self, role: str | None, anonymous_layers: list[str]) -> bool:
        if role is None:
            return self.id in anonymous_layers
        return role == roles.ADMIN or "*" in self.read_roles or role in self.read_roles

    def editable_by(self, role: str | None) -> bool:
        if self.edit_table is None or role is None:
            return False
        return role == roles.ADMIN or role in self.edit_roles


_READ_BY: dict[tuple[str, str], LayerDeclaration] = {}


def load_declarations(folder: Path) -> dict[str, LayerDeclaration]:
    layers: dict[str, LayerDeclaration] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as f:
            try:
                data = tomllib.load(f)
                if "read_within" in data:
                    raise ValueError("read_within is set by the service for each reader, not declared")
                decl = LayerDeclaration.model_validate(data)
            except Exception as exc:
                raise ValueError(f"{path.name}: {exc}") from exc
        if decl.id in layers:
            raise ValueError(f"{path.name}: layer id '{decl.id}' is declared twice")
        layers[decl.id] = decl
    return dict(sorted(layers.items(), key=lambda kv: (kv[1].order, kv[0])))


class Catalogue:
    """The declarations in a folder, re-read when any file in it changes."""

    CHECK_EVERY_S = 2.0

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._signature = self._current_signature()
        self._layers = load_declarations(folder)  # a broken catalogue fails start-up
        self._checked = time.monotonic()

    def _current_signature(self) -> tuple:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.folder.glob("*.toml")))

    def layers(self) -> dict[str, LayerDeclaration]:
        now = time.monotonic()
        if now - self._checked > self.CHECK_EVERY_S:
            with self._lock:
                self._checked = now
                signature = self._current_signature()
                if signature != self._signature:
                    try:
                        self._layers = load_declarations(self.folder)
                        log.info("layer catalogue reloaded", extra={"layers": len(self._layers)})
                    except ValueError as exc:  # keep serving the last good catalogue
                        log.error("layer catalogue not reloaded: %s", exc)
                    self._signature = signature
        return self._layers

    def readable(self, user, settings) -> list[LayerDeclaration]:
        """The layers a caller (None: signed out) may read, in catalogue order, each as the
        caller reads it (LayerDeclaration.read_by)."""
        role = user.role if user else None
        within = jurisdiction.read_prefix(user, settings.read_scope)
        return [
            x.read_by(within)
            for x in self.layers().values()
            if x.readable_by(role, settings.anonymous_layers)
        ]

"""The shapes of an offline area request and its record bundle."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gis_service.core.errors import invalid_value
from gis_service.query.bbox import bbox_of

RECORD_KEY = r"^(marker|sign|grave):[0-9A-Za-z-]{1,40}$"


TILES_PER_BUNDLE = 256  # tiles in one bundle (offline/bundles.py)


class AreaSpec(BaseModel):
    """One boundary line, one banner/district (or the whole city: `banner` with the city's
    code), or a rectangle (west, south, east, north)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["line", "banner", "bbox"]
    code: str | None = Field(default=None, pattern=r"^\d{6}(-\d{6})?$")
    bbox: tuple[float, float, float, float] | None = None
    # Tiles are stored down to this zoom; vector layers beyond their native zoom are
    # drawn from the native tiles, so only the base map goes deeper.
    max_zoom: int | None = Field(default=None, ge=8, le=18)

    @model_validator(mode="after")
    def _consistent(self) -> AreaSpec:
        if self.kind == "bbox":
            if self.bbox is None or self.code is not None:
                raise invalid_value("A rectangle needs bbox and no code.", "矩形区域需要 bbox，不需要 code。")
            w, s, e, n = bbox_of(self.bbox).box  # the checks of every bbox first
            if not (73 <= w < e <= 136 and 3 <= s < n <= 54):
                raise invalid_value(
                    "bbox must be west, south, east, north inside China (lon 73–136, lat 3–54).",
                    "bbox 应为西、南、东、北，且位于中国范围内（经度 73–136，纬度 3–54）。",
                )
            if (e - w) * (n - s) > 4:
                raise invalid_value(
                    "The rectangle is too large (over 4 square degrees); choose a smaller area.",
                    "矩形区域过大（超过 4 平方度），请选择较小的范围。",
                )
        elif self.code is None or self.bbox is not None:
            raise invalid_value(
                f"A {self.kind} area needs its code and no bbox.", f"{self.kind} 区域需要代码，不需要 bbox。"
            )
        elif (self.kind == "line") != ("-" in self.code):
            raise invalid_value(
                "A line code is two unit codes joined by '-'; a banner code is six digits.",
                "界线代码为两个政区代码以“-”连接；旗区代码为六位数字。",
            )
        return self

    @property
    def zoom(self) -> int:
        return self.max_zoom or (16 if self.kind == "line" else 14)


class RecordsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _keys(self) -> RecordsRequest:
        bad = [k for k in self.keys if not re.match(RECORD_KEY, k)]
        if bad:
            raise invalid_value(
                f"Unknown record key {bad[0]!r}; keys look like marker:CODE, sign:CODE or grave:CODE.",
                f"记录键“{bad[0]}”无效；应为 marker:编号、sign:编号 或 grave:编号。",
            )
        return self


class TilesRequest(BaseModel):
    """Tiles of an offline area, as its manifest lists them (or as service paths)."""

    model_config = ConfigDict(extra="forbid")

    tiles: list[str] = Field(min_length=1, max_length=TILES_PER_BUNDLE)

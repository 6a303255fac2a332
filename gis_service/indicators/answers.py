"""What the indicator route answers (core/answers.py: documented, not applied)."""

from __future__ import annotations

from datetime import datetime

from gis_service.core.answers import Answer


class Indicator(Answer):
    """A plan indicator: a rate in percent (`numerator` ÷ `denominator`) or a count,
    against its target (`met` is null without one)."""

    key: str
    group: str
    label: str
    label_en: str
    unit: str
    value: float | None
    target: float | None
    met: bool | None
    numerator: float | None
    denominator: float | None
    as_of: datetime


class AreaAnswer(Answer):
    """The unit the figures are for."""

    code: str
    name: str
    name_en: str


class Indicators(Answer):
    unit: AreaAnswer
    indicators: list[Indicator]

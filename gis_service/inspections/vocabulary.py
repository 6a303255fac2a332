"""The condition vocabulary of visited things, markers and name signs alike (modelled on
NGS mark recovery and TrigpointingUK logs). Declared once: the API's `ConditionCode`,
the map (via /api/v1/markers/conditions and the map configuration) and the layer styles
read it; tests/test_vocabularies.py ties the database's CHECK lists and the styles to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Condition:
    code: str
    zh: str
    en: str
    colour: str
    needs_attention: bool
    opens_repair: bool


CONDITIONS: dict[str, Condition] = {
    c.code: c
    for c in [
        Condition("intact", "完好", "Intact", "#2e7d32", False, False),
        Condition("slightly_damaged", "轻微损坏", "Slightly damaged", "#9e9d24", True, False),
        Condition("damaged", "损坏", "Damaged", "#ef6c00", True, True),
        Condition("tilted", "倾斜", "Tilted", "#f9a825", True, False),
        Condition("moved", "移位", "Moved / displaced", "#d84315", True, True),
        Condition("buried", "被掩埋", "Buried", "#6d4c41", True, False),
        Condition("possibly_missing", "疑似丢失", "Possibly missing", "#ad1457", True, False),
        Condition("missing", "丢失", "Missing", "#c62828", True, True),
        Condition("destroyed", "被毁", "Destroyed", "#4a148c", True, True),
        Condition("inaccessible", "无法到达", "Inaccessible", "#546e7a", False, False),
    ]
}
UNKNOWN_COLOUR = "#9e9e9e"  # never inspected
NEEDS_ATTENTION = [c.code for c in CONDITIONS.values() if c.needs_attention]
OPENS_REPAIR = [c.code for c in CONDITIONS.values() if c.opens_repair]


def vocabulary() -> list[dict]:
    return [c.__dict__ for c in CONDITIONS.values()]


ConditionCode = Literal[tuple(CONDITIONS)]  # type: ignore[valid-type]

"""Names no other test uses: the register refuses a second place of the same name (and
look-alikes of it), so each test makes its own from random digits written as Chinese
characters (甲 for 0 … 癸 for 9, characters the name checks accept)."""

from __future__ import annotations

import uuid

STEMS = "甲乙丙丁戊己庚辛壬癸"


def unique_specific(length: int = 5) -> str:
    """`length` characters, different at every call."""
    return "".join(STEMS[int(c)] for c in str(uuid.uuid4().int)[:length])

"""The words of the yearly update: what kind of change, and where its review stands."""

from __future__ import annotations

KINDS: dict[str, tuple[str, str]] = {
    "new": ("新增", "new"),
    "gone": ("撤销或合并", "gone"),
    "renamed": ("更名", "renamed"),
    "transliteration": ("音译异写", "transliteration variant"),
    "recoded": ("代码变更", "re-coded"),
    "moved": ("隶属变更", "moved"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "open": ("待审核", "open"),
    "accepted": ("已采纳", "accepted"),
    "rejected": ("未采纳", "rejected"),
}

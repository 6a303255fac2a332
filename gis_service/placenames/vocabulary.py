"""The place-name register's vocabularies, declared once: a name's status and the stages
of a naming procedure, with their Chinese and English labels. The API's types, the
procedure and the map configuration read them; tests/test_vocabularies.py ties the
database's CHECK lists to them."""

from __future__ import annotations

from typing import Literal

STATUSES: dict[str, tuple[str, str]] = {
    "standard": ("标准名", "standard"),
    "variant": ("异名", "variant"),
    "historical": ("历史地名", "historical"),
    "pending": ("待审定", "pending"),
    "cancelled": ("已销名", "cancelled"),
    "non_standard": ("不规范", "non-standard"),
}
STAGES: dict[str, tuple[str, str]] = {
    "application": ("申请", "application"),
    "review": ("审核", "review"),
    "approval": ("批准", "approval"),
    "announcement": ("公告", "announcement"),
    "filed": ("备案", "filed"),
    "rejected": ("驳回", "rejected"),
    "withdrawn": ("撤回", "withdrawn"),
}

Status = Literal[tuple(STATUSES)]  # type: ignore[valid-type]
Stage = Literal[tuple(STAGES)]  # type: ignore[valid-type]
StageMove = Literal[tuple(s for s in STAGES if s != "application")]  # type: ignore[valid-type]


def labelled(vocabulary: dict[str, tuple[str, str]]) -> list[dict]:
    return [{"code": code, "zh": zh, "en": en} for code, (zh, en) in vocabulary.items()]

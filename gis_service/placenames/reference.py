"""The data the place-name rules read: categories, generics, word lists, place-name
readings and the seed lexicon, kept as files in `data/` so officers and reviewers can
correct them without touching code."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    parent_code: str | None
    generics: tuple[str, ...]
    level: str | None
    note: str


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def categories() -> tuple[Category, ...]:
    return tuple(
        Category(
            code=r["code"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            parent_code=r["parent_code"] or None,
            generics=tuple(g for g in r["generics"].split("|") if g),
            level=r["level"] or None,
            note=r["note"],
        )
        for r in _rows("categories.csv")
    )


@cache
def generics() -> tuple[str, ...]:
    """Every known generic, longest first so that 前旗 wins over 旗."""
    found = {g for c in categories() for g in c.generics}
    found |= set(word_lists()["generic_rank"])
    return tuple(sorted(found, key=lambda g: (-len(g), g)))


@cache
def word_lists() -> dict:
    with (DATA / "word_lists.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def place_readings() -> dict[str, list[str]]:
    """Standard readings of words with polyphonic characters, e.g. 十里堡 → shi li pu."""
    return {r["hanzi"]: r["pinyin"].split() for r in _rows("place_readings.csv")}


def seed_lexicon() -> list[dict]:
    return _rows("lexicon.csv")

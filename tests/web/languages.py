"""Checks that a page speaks one language: interface text left in the other one."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def in_the_other_language(texts: list[str], lang: str) -> list[str]:
    """The texts that belong to the other language: any Chinese in English mode; in Chinese
    mode, Latin words with no Chinese beside them (codes, figures and units aside)."""
    if lang == "en":
        return [x for x in texts if CJK.search(x)]
    return [x for x in texts if LATIN_WORD.search(x) and not CJK.search(x)]

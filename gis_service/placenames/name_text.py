"""What a place name may be made of, and the one key every duplicate rule compares.

A name that looks like another is the same name: "相似丁嘎查" followed by a Mongolian
variation selector, a no-break space, an ideographic space, a combining grapheme joiner, a
Hangul filler or a braille blank, or written with the variant 嘠 for 嘎 or 査 for 查, reads
exactly like it. So:

- `comparison_key` is NFKC, without default-ignorable code points (the Unicode property,
  from the `regex` package's tables), without any blank, and with variant characters
  folded to the standard simplified ones (zhconv's table, MediaWiki's maintained
  conversion data). Every duplicate rule compares these keys.
- `name_problem` refuses what no standard name contains: leading, trailing or inner
  blanks, control or default-ignorable characters. Mongolian variation selectors and the
  joiners are allowed only between Mongolian letters, in the Mongolian-script form."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex
import zhconv

_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_BLANK = regex.compile(r"[\p{White_Space}\p{Zs}\u2800]")
_CONTROL = regex.compile(r"\p{Cc}")
_MONGOLIAN_LETTER = regex.compile(r"\p{Script=Mongolian}")
# Free variation selectors 1-4, the vowel separator, ZWNJ and ZWJ: shaping marks that
# Mongolian script needs between its letters.
MONGOLIAN_MARKS = frozenset("\u180b\u180c\u180d\u180f\u180e\u200c\u200d")


@lru_cache(maxsize=250_000)  # a register-wide audit compares each name with its scope
def comparison_key(name: str) -> str:
    key = unicodedata.normalize("NFKC", name)
    key = _BLANK.sub("", _IGNORABLE.sub("", key))
    return zhconv.convert(key, "zh-cn")


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')})"


def name_problem(name: str) -> tuple[str, str] | None:
    """(English, Chinese) of what is wrong with a standard name's characters, or None."""
    if name != name.strip() or _BLANK.match(name[:1]) or _BLANK.match(name[-1:]):
        return "The name starts or ends with a blank.", "名称首尾含有空白字符。"
    if found := _BLANK.search(name):
        return (
            f"The name contains a blank, {_code(found.group())}.",
            f"名称中含有空白字符 {_code(found.group())}。",
        )
    if found := _CONTROL.search(name) or _IGNORABLE.search(name):
        return (
            f"The name contains an invisible character, {_code(found.group())}.",
            f"名称中含有不可见字符 {_code(found.group())}。",
        )
    return None


def mongolian_problem(text: str) -> tuple[str, str] | None:
    """For the Mongolian-script form: words apart by single spaces, and shaping marks only
    between Mongolian letters."""
    if text != text.strip() or "  " in text or _CONTROL.search(text):
        return (
            "The Mongolian form has stray blanks or control characters.",
            "蒙古文形式含有多余空白或控制字符。",
        )
    for i, ch in enumerate(text):
        if ch in MONGOLIAN_MARKS:
            before, after = text[i - 1 : i], text[i + 1 : i + 2]
            if not (_MONGOLIAN_LETTER.match(before or " ") or _MONGOLIAN_LETTER.match(after or " ")):
                return (
                    f"{_code(ch)} is only allowed between Mongolian letters.",
                    f"{_code(ch)} 只能用于蒙古文字母之间。",
                )
        elif _IGNORABLE.match(ch) or (_BLANK.match(ch) and ch != " "):
            return f"The Mongolian form contains {_code(ch)}.", f"蒙古文形式中含有 {_code(ch)}。"
    return None

"""Romanisation of place names (GB/T 16159 and the place-name spelling rules, see docs/domain.md).

- Specific and generic are separate words, each capitalised: 东胜区 → Dongsheng Qu.
- Villages (村, 嘎查, 社区 …) are written as one word: 漫赖村 → Manlaicun.
- An apostrophe separates a syllable starting with a, o or e from the one before: Xi'an.
- Polyphonic characters take their standard place-name reading (十里堡 → Shilipu).
- Mongolian-origin specifics are transliterated from the curated lexicon, longest match
  first; the generic stays in pinyin: 达拉特旗 → Dalad Qi.

Software only suggests: the result names the parts that need a person's review (a
polyphonic character read by default, a likely Mongolian part spelled in pinyin).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin, pinyin

from gis_service.placenames.naming import split_name
from gis_service.placenames.reference import place_readings, word_lists

ONE_WORD_GENERICS = {"村", "嘎查", "社区", "营子", "圪堵", "窑子", "庄", "屯"}
# Characters common in transliterated Mongolian names: a hint that a part spelled in
# pinyin may need the official transliteration instead.
MONGOLIAN_HINTS = set(
    "图勒尔嘎敖淖苏木乌巴彦查干呼浩特吉克台陶胡硕锡布日都格哈拉其毛达沁赛扎萨额德诺纳亥伊宝力"
)
# Generics of Mongolian origin: a gacha (pastoral village) or sum (township) is named in
# Mongolian unless shown otherwise, so every pinyin-spelled specific under them is reviewed.
MONGOLIAN_GENERICS = {"嘎查", "苏木"}
MAX_CANDIDATES = 8


class Lexicon(dict[str, str]):
    """Chinese spelling → Latin form. `names` are whole official names (鄂尔多斯 Ordos),
    used wherever they occur; the other entries are Mongolian roots, used only in a name
    that is Mongolian throughout. `suffixes` end the word before them (图 -tu: 都斯图 → Dusitu).
    A plain dict counts every entry as a name."""

    def __init__(
        self,
        forms: dict[str, str] | None = None,
        suffixes: set[str] | frozenset[str] = frozenset(),
        names: set[str] | frozenset[str] | None = None,
    ):
        super().__init__(forms or {})
        self.suffixes = frozenset(suffixes)
        self.names = frozenset(self if names is None else names)

    @classmethod
    def of(cls, lexicon: dict[str, str] | None) -> Lexicon:
        """The lexicon as given, or a plain dict read as whole names only."""
        return lexicon if isinstance(lexicon, Lexicon) else cls(lexicon)

    def names_only(self) -> Lexicon:
        return Lexicon({hanzi: form for hanzi, form in self.items() if hanzi in self.names})


@dataclass
class Segment:
    hanzi: str
    syllables: list[str]  # pinyin syllables, or one transliterated form
    transliterated: bool = False
    suffix: bool = False  # a transliterated suffix, written onto the word before it
    root: bool = False  # transliterated from a Mongolian root, not a whole official name
    review: str | None = None
    options: list[str] = field(default_factory=list)  # other readings, for review


@dataclass
class Romanization:
    romanization: str
    candidates: list[str] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)


def _join_syllables(syllables: list[str]) -> str:
    out = ""
    for i, s in enumerate(syllables):
        if i and s[:1] in "aoe":
            out += "'"
        out += s
    return out


def _segments(text: str, lexicon: Lexicon) -> list[Segment]:
    """Longest-match over the lexicon and the place-name readings; pinyin elsewhere."""
    readings = place_readings()
    segments: list[Segment] = []
    i = 0
    longest = max([len(k) for k in (*lexicon, *readings)] or [1])
    pending = ""
    while i < len(text):
        for n in range(min(longest, len(text) - i), 0, -1):
            piece = text[i : i + n]
            # a suffix ends a word: at the start or inside one it is plain pinyin (图克 Tuke)
            inside = not (segments or pending) or i + n < len(text)
            if piece in lexicon.suffixes and inside and piece not in readings:
                continue
            if piece in lexicon or piece in readings:
                if pending:
                    segments.extend(_pinyin_segments(pending))
                    pending = ""
                if piece in lexicon:
                    suffix = piece in lexicon.suffixes
                    # a suffix is spelled as pinyin would spell it (图 tu): it makes no name mixed
                    root = not suffix and piece not in lexicon.names
                    segments.append(
                        Segment(piece, [lexicon[piece]], transliterated=True, suffix=suffix, root=root)
                    )
                else:
                    segments.append(Segment(piece, list(readings[piece])))
                i += n
                break
        else:
            pending += text[i]
            i += 1
    if pending:
        segments.extend(_pinyin_segments(pending))
    return segments


def _pinyin_segments(text: str) -> list[Segment]:
    """Pinyin per character. Characters on the place-name polyphonic list, read here by
    pypinyin's default, are marked for review with their other readings as options."""
    readings = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors=lambda chars: list(chars))
    heteronyms = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda chars: [[c] for c in chars])
    polyphonic = set(word_lists()["polyphonic"])
    out = []
    for ch, reading, options in zip(text, readings, heteronyms, strict=False):
        seg = Segment(ch, [reading.replace("ü", "v")])
        distinct = list(dict.fromkeys(o.replace("ü", "v") for o in options if o))
        if ch in polyphonic and len(distinct) > 1:
            seg.review = "polyphonic"
            seg.options = [seg.syllables[0], *[o for o in distinct if o != seg.syllables[0]]]
        if not seg.syllables[0].isascii() or not seg.syllables[0].isalpha():
            seg.review = "no_reading"
        out.append(seg)
    return out


def _generic_segments(generic: str) -> list[Segment]:
    """Generics have fixed readings (区 qu, 前旗 qianqi, 嘎查 gacha): never reviewed."""
    return [Segment(generic, lazy_pinyin(generic, v_to_u=True))]


def _word(segments: list[Segment], spaced: bool = False) -> str:
    """Segments written out: pinyin syllables joined with apostrophes, transliterated
    forms as they stand; `spaced` keeps each transliterated Mongolian word apart
    (乌兰陶勒盖 → Ulan Tolgoi), otherwise they run together as one word."""
    parts: list[str] = []
    run: list[str] = []
    for seg in segments:
        if seg.suffix:
            if run:
                parts.append(_join_syllables(run))
                run = []
            parts[-1] += seg.syllables[0].lower()
        elif seg.transliterated:
            if run:
                parts.append(_join_syllables(run))
                run = []
            parts.append(seg.syllables[0])
        else:
            run.extend(seg.syllables)
    if run:
        parts.append(_join_syllables(run))
    if spaced:
        return " ".join(_capitalise(p) for p in parts)
    return "".join(parts)


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


def unsettled_polyphones(text: str, lexicon: dict[str, str] | None = None) -> list[str]:
    """The polyphonic characters of `text` whose reading nothing settles: not within a
    lexicon entry, and not covered by a place-name reading (十里堡, or 圪 alone)."""
    found = [seg.hanzi for seg in _segments(text, Lexicon.of(lexicon)) if seg.review == "polyphonic"]
    return list(dict.fromkeys(found))


def _render(spec: list[Segment], gen: list[Segment], one_word: bool) -> str:
    """Specific and generic written out: one word (a village, a one-word generic) or two."""
    spec_text = _capitalise(_word(spec, spaced=not one_word))
    if not gen:
        return spec_text
    gen_text = _word(gen)
    if one_word:
        return _capitalise(_join_syllables([spec_text.lower(), gen_text]))
    return f"{spec_text} {_capitalise(gen_text)}"


def _reading_reviews(segments: list[Segment]) -> tuple[list[dict], list[tuple[int, list[str]]]]:
    """What to check about the characters' readings, and the segments with several."""
    review: list[dict] = []
    variable: list[tuple[int, list[str]]] = []
    for idx, seg in enumerate(segments):
        if seg.review == "polyphonic":
            options = seg.options
            review.append(
                {
                    "part": seg.hanzi,
                    "reason": "polyphonic",
                    "message": f"{seg.hanzi} has several readings ({', '.join(options)}); "
                    f"check its standard reading in this name.",
                    "message_zh": f"“{seg.hanzi}”有多个读音（{'、'.join(options)}），请核实其在本地名中的标准读音。",
                    "options": options,
                }
            )
            variable.append((idx, options))
        elif seg.review == "no_reading":
            review.append(
                {
                    "part": seg.hanzi,
                    "reason": "no_reading",
                    "message": f"No reading for {seg.hanzi}.",
                    "message_zh": f"“{seg.hanzi}”没有读音数据。",
                }
            )
    return review, variable


def _origin_reviews(specific: str, generic: str, spec_segments, mixed_segments) -> list[dict]:
    """A pinyin spelling of what looks Mongolian, and a name of mixed origin."""
    review = []
    pinyin_part = "".join(s.hanzi for s in spec_segments if not s.transliterated)
    if pinyin_part and (
        generic in MONGOLIAN_GENERICS
        or (generic == "旗" and any(ch in MONGOLIAN_HINTS for ch in pinyin_part))
    ):
        review.append(
            {
                "part": pinyin_part,
                "reason": "likely_mongolian",
                "message": f"{pinyin_part} looks Mongolian in origin but is spelled in pinyin; "
                "check the official transliteration and add it to the lexicon.",
                "message_zh": f"“{pinyin_part}”似源自蒙古语，但按汉语拼音拼写；请核实规范音译并补入词库。",
            }
        )
    if mixed_segments:
        roots = "、".join(s.hanzi for s in mixed_segments if s.root)
        review.append(
            {
                "part": specific,
                "reason": "mixed_origin",
                "message": f"{specific} has Mongolian roots ({roots}) beside Chinese parts; spelled in pinyin. "
                "If the name is Mongolian throughout, record its transliteration and add it to the lexicon.",
                "message_zh": f"“{specific}”含蒙古语词根（{roots}）和汉语成分，已按汉语拼音拼写；"
                "如全名源自蒙古语，请记录其音译并补入词库。",
            }
        )
    return review


def _reading_variants(spec_segments, gen_segments, variable, one_word: bool, candidates: list[str]) -> None:
    """Add the spellings of the other readings of polyphonic characters, up to MAX_CANDIDATES."""
    all_segments = spec_segments + gen_segments
    for combo in itertools.product(*[options for _, options in variable]):
        if len(candidates) >= MAX_CANDIDATES:
            break
        trial = [Segment(s.hanzi, list(s.syllables), s.transliterated, s.suffix) for s in all_segments]
        for (idx, _), reading in zip(variable, combo, strict=True):
            trial[idx].syllables = [reading]
        form = _render(trial[: len(spec_segments)], trial[len(spec_segments) :], one_word)
        if form not in candidates:
            candidates.append(form)


def romanize(name: str, lexicon: dict[str, str] | None = None, level: str | None = None) -> Romanization:
    lexicon = Lexicon.of(lexicon)
    specific, generic = split_name(name)
    spec_segments = _segments(specific, lexicon)
    # A name that is only partly Mongolian by its roots (树林召, 乌兰木伦) is spelled in
    # pinyin; the part-transliterated form stays a candidate for the officer to weigh.
    mixed = any(s.root for s in spec_segments) and any(not s.transliterated for s in spec_segments)
    mixed_segments = spec_segments if mixed else []
    if mixed:
        spec_segments = _segments(specific, lexicon.names_only())
    gen_segments = _generic_segments(generic) if generic else []
    one_word = generic in ONE_WORD_GENERICS or level == "village"
    best = _render(spec_segments, gen_segments, one_word)
    review, variable = _reading_reviews(spec_segments + gen_segments)
    review += _origin_reviews(specific, generic, spec_segments, mixed_segments)
    candidates = [best]
    if mixed:
        candidates.append(_render(mixed_segments, gen_segments, one_word))
    if variable:
        _reading_variants(spec_segments, gen_segments, variable, one_word, candidates)
    plain = _render(_pinyin_only(specific), _pinyin_only(generic) if generic else [], one_word)
    if plain not in candidates:
        candidates.append(plain)  # the all-pinyin spelling, for comparison
    return Romanization(romanization=best, candidates=candidates, review=review)


def _pinyin_only(text: str) -> list[Segment]:
    return [Segment(ch, [p]) for ch, p in zip(text, lazy_pinyin(text), strict=False)]


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) without tones or spaces, for search: 东胜区 → dongshengqu, dsq."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore") if s.isascii()]
    return "".join(syllables).replace("ü", "v"), "".join(s[0] for s in syllables if s)


def has_root(text: str, lexicon: dict[str, str] | Lexicon | None) -> bool:
    """Whether the text holds a minority-language root of the lexicon (布拉格, 淖尔)."""
    return any(s.root for s in _segments(text, Lexicon.of(lexicon)))

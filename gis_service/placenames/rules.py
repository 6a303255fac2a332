"""Standardisation checks for place names (docs/domain.md, place names). Each rule is a named function
with a code, a severity and a docstring that explains it; `check_name` runs them all.

Severities: `error` breaks a prohibition of the 地名管理条例 (2022, art. 10): a duplicate
within its scope, a person's name, an enterprise or brand name, a foreign place name. A
name with an error is saved only when an officer waives it with a reason. `warning` is
very likely wrong (大、怪, a homophone, Latin letters); `review` needs a person's judgement
(a rare or polyphonic character).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import zhconv

from gis_service.placenames.name_text import comparison_key
from gis_service.placenames.naming import split_name
from gis_service.placenames.reference import word_lists
from gis_service.placenames.romanize import pinyin_keys, unsettled_polyphones


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    suggestion: str | None = None
    # the officers read Chinese first; English stays for the API's other users
    message_zh: str = ""
    suggestion_zh: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CheckContext:
    name: str
    level: str | None = None  # province, city, county, township, village
    category: str | None = None
    # Other names in the duplicate scope (same level, same parent): (name, pinyin).
    neighbours: list[tuple[str, str]] = field(default_factory=list)
    # The transliteration lexicon: a polyphone inside one of its entries is settled.
    lexicon: dict[str, str] = field(default_factory=dict)

    @property
    def specific(self) -> str:
        return split_name(self.name)[0]

    @property
    def generic(self) -> str:
        return split_name(self.name)[1]


Rule = Callable[[CheckContext], list[Finding]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[code] = fn
        return fn

    return register


@rule("duplicate")
def duplicate(ctx: CheckContext) -> list[Finding]:
    """重: the same name already names a place of the same level within the scope
    (township names within a banner, village names within a township). Names are compared
    by their comparison key: one that only looks different (an invisible character, a
    blank, a variant character) is the same name."""
    own = comparison_key(ctx.name)
    same = sorted({other for other, _ in ctx.neighbours if comparison_key(other) == own})
    if not same:
        return []
    lookalike = [other for other in same if other != ctx.name]
    shown = "、".join(f"“{o}”" for o in same)
    return [
        Finding(
            "duplicate",
            "error",
            f"“{ctx.name}” already names another place of this level in the same area"
            + (f" (written {shown}, which reads the same)" if lookalike else "")
            + ".",
            "Choose a distinct specific, e.g. add a directional or descriptive element.",
            message_zh=f"“{ctx.name}”与同一区域内同级的另一地名重名"
            + (f"（{shown}，字形或不可见字符不同但读写相同）" if lookalike else "")
            + "。",
            suggestion_zh="请另选专名，例如加入方位或描述性成分。",
        )
    ]


@rule("homophone")
def homophone(ctx: CheckContext) -> list[Finding]:
    """重 (by sound): a different name that is pronounced the same in the same scope
    confuses speech, radio and navigation."""
    own, key = pinyin_keys(ctx.name)[0], comparison_key(ctx.name)
    same = sorted({other for other, sound in ctx.neighbours if sound == own and comparison_key(other) != key})
    if same:
        return [
            Finding(
                "homophone",
                "warning",
                f"“{ctx.name}” sounds the same as {'、'.join(same)} in the same area.",
                "Choose a specific that sounds different.",
                message_zh=f"“{ctx.name}”与同一区域内的{'、'.join(same)}同音。",
                suggestion_zh="请选用读音不同的专名。",
            )
        ]
    return []


LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级", "township": "乡级", "village": "村级"}


def _positions(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def _listed(ctx: CheckContext, list_name: str) -> list[str]:
    return [w for w in word_lists()[list_name] if w in ctx.specific]


@rule("person_name")
def person_name(ctx: CheckContext) -> list[Finding]:
    """People's names, including fictional characters, may not name places. A site that
    commemorates the person (成吉思汗陵, 中山陵, a 纪念馆 or 故居) is named for them by nature."""
    commemorative = word_lists()["commemorative"]
    hits = [
        who
        for who in word_lists()["people"]
        if any(
            not ctx.name[at + len(who) :].startswith(tuple(commemorative)) for at in _positions(ctx.name, who)
        )
    ]
    return (
        [
            Finding(
                "person_name",
                "error",
                f"The name contains a person's name: {'、'.join(hits)}.",
                "Name places after geography, history or local culture, not people.",
                message_zh=f"名称含人名：{'、'.join(hits)}。",
                suggestion_zh="地名应以地理、历史或地方文化命名，不以人名命名。",
            )
        ]
        if hits
        else []
    )


@rule("enterprise")
def enterprise(ctx: CheckContext) -> list[Finding]:
    """Enterprise names and brands may not name places."""
    hits = _listed(ctx, "enterprises")
    return (
        [
            Finding(
                "enterprise",
                "error",
                f"The name contains an enterprise or brand name: {'、'.join(hits)}.",
                "Remove the enterprise or brand; use a geographic or historical specific.",
                message_zh=f"名称含企业名称或商标：{'、'.join(hits)}。",
                suggestion_zh="请去掉企业名称或商标，改用地理或历史专名。",
            )
        ]
        if hits
        else []
    )


@rule("exaggerated")
def exaggerated(ctx: CheckContext) -> list[Finding]:
    """大: grandiose words (宇宙, 中央, 天下 …) overstate a place."""
    hits = _listed(ctx, "exaggerated")
    return (
        [
            Finding(
                "exaggerated",
                "warning",
                f"The name uses exaggerated words: {'、'.join(hits)}.",
                "Use a modest specific that describes the place.",
                message_zh=f"名称使用夸大词语：{'、'.join(hits)}。",
                suggestion_zh="请使用朴实、能描述该地的专名。",
            )
        ]
        if hits
        else []
    )


@rule("generic_level")
def generic_level(ctx: CheckContext) -> list[Finding]:
    """大: the generic denotes a higher level than the place has (a village called …城)."""
    lists = word_lists()
    rank = lists["generic_rank"].get(ctx.generic)
    own = lists["level_rank"].get(ctx.level or "")
    if rank is not None and own is not None and rank < own:
        return [
            Finding(
                "generic_level",
                "warning",
                f"The generic “{ctx.generic}” denotes a higher level than this {ctx.level}.",
                "Use the generic of the place's own level.",
                message_zh=f"通名“{ctx.generic}”表示的层级高于该地（{LEVEL_ZH.get(ctx.level or '', ctx.level)}）。",
                suggestion_zh="请使用与该地层级相符的通名。",
            )
        ]
    return []


@rule("foreign")
def foreign(ctx: CheckContext) -> list[Finding]:
    """洋: foreign place names or words, or foreign script."""
    hits = _listed(ctx, "foreign")
    latin = re.findall(r"[A-Za-z]+", ctx.name)
    found = []
    if hits:
        found.append(
            Finding(
                "foreign",
                "error",
                f"The name borrows foreign place names: {'、'.join(hits)}.",
                "Use a Chinese or local-language specific.",
                message_zh=f"名称借用外国地名：{'、'.join(hits)}。",
                suggestion_zh="请使用汉语或本地民族语言的专名。",
            )
        )
    if latin:
        found.append(
            Finding(
                "foreign",
                "warning",
                f"The name contains Latin letters: {' '.join(latin)}.",
                "Write the name in Chinese characters; the romanisation is a separate field.",
                message_zh=f"名称含拉丁字母：{' '.join(latin)}。",
                suggestion_zh="名称用汉字书写；罗马字母拼写另有字段。",
            )
        )
    return found


@rule("digits_symbols")
def digits_symbols(ctx: CheckContext) -> list[Finding]:
    """怪: digits, digit-only specifics and symbols (·, -, # …) make odd names."""
    found = []
    if re.search(r"[0-9０-９]", ctx.name):
        only = re.fullmatch(r"[0-9０-９]+", ctx.specific or "")
        found.append(
            Finding(
                "digits_symbols",
                "warning",
                "The specific is only digits." if only else "The name mixes digits into it.",
                "Write numbers in Chinese characters, or choose a descriptive specific.",
                message_zh="专名仅由数字组成。" if only else "名称中夹有数字。",
                suggestion_zh="数字请用汉字书写，或改用描述性专名。",
            )
        )
    symbols = re.findall(r"[^\w\u3400-\u9fff]", ctx.name)
    if symbols:
        found.append(
            Finding(
                "digits_symbols",
                "warning",
                f"The name contains symbols: {' '.join(symbols)}.",
                "Remove the symbols.",
                message_zh=f"名称含符号：{' '.join(symbols)}。",
                suggestion_zh="请去掉符号。",
            )
        )
    return found


@rule("traditional_variant")
def traditional_variant(ctx: CheckContext) -> list[Finding]:
    """怪: traditional or variant characters (or a mix) instead of the standard simplified ones."""
    simplified = zhconv.convert(ctx.name, "zh-cn")
    if simplified != ctx.name:
        return [
            Finding(
                "traditional_variant",
                "warning",
                "The name uses traditional or variant characters.",
                f"Use the standard form: {simplified}",
                message_zh="名称使用了繁体字或异体字。",
                suggestion_zh=f"请使用规范字形：{simplified}",
            )
        ]
    return []


@rule("rare_character")
def rare_character(ctx: CheckContext) -> list[Finding]:
    """生僻字: characters outside GB 2312's 6,763 common characters are hard to read,
    type and display; flagged for review, not forbidden."""
    rare = []
    for ch in ctx.name:
        if "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f":
            # a traditional form of a common character (東, 區) is traditional_variant's finding
            common = zhconv.convert(ch, "zh-cn")
            try:
                common.encode("gb2312")
            except UnicodeEncodeError:
                rare.append(ch)
    return (
        [
            Finding(
                "rare_character",
                "review",
                f"Rare characters: {'、'.join(rare)}.",
                "Confirm the character and its reading; prefer a common character if the meaning allows.",
                message_zh=f"生僻字：{'、'.join(rare)}。",
                suggestion_zh="请核实字形和读音；含义允许时宜改用常用字。",
            )
        ]
        if rare
        else []
    )


@rule("polyphonic")
def polyphonic(ctx: CheckContext) -> list[Finding]:
    """多音字: a character read differently in place names whose reading here nothing
    settles (neither a place-name reading such as 圪 gē or 十里堡 Shílǐpù, nor a lexicon
    entry); the officer confirms it in the romanisation."""
    hits = unsettled_polyphones(ctx.specific, ctx.lexicon)
    return (
        [
            Finding(
                "polyphonic",
                "review",
                f"Polyphonic characters: {'、'.join(hits)}.",
                "Record the standard reading in the romanisation.",
                message_zh=f"多音字：{'、'.join(hits)}。",
                suggestion_zh="请在罗马字母拼写中记录其标准读音。",
            )
        ]
        if hits
        else []
    )


def check_name(ctx: CheckContext) -> list[Finding]:
    return [finding for fn in RULES.values() for finding in fn(ctx)]


def rule_catalogue() -> list[dict]:
    """Every rule with its documentation, for the API and the officers' page."""
    return [{"rule": code, "description": " ".join((fn.__doc__ or "").split())} for code, fn in RULES.items()]

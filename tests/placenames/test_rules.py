"""Each standardisation rule with a name that breaks it and one that does not."""

import re

import pytest

from gis_service.placenames.rules import RULES, CheckContext, check_name

NEIGHBOURS = [("建设村", "jianshecun"), ("东胜村", "dongshengcun")]
CASES = {
    "duplicate": ("建设村", "新建村"),
    "homophone": ("动胜村", "新建村"),
    "person_name": ("孙悟空村", "花园村"),
    "enterprise": ("万达村", "花园村"),
    "exaggerated": ("世界村", "花园村"),
    "generic_level": ("花园城", "花园村"),
    "foreign": ("威尼斯村", "花园村"),
    "digits_symbols": ("123村", "一二三村"),
    "traditional_variant": ("東方村", "东方村"),
    "rare_character": ("𠮷祥村", "吉祥村"),
    "polyphonic": ("堡子湾村", "河湾村"),
}


def test_every_rule_has_a_case_and_documentation():
    assert set(CASES) == set(RULES)
    assert all(fn.__doc__ and len(fn.__doc__) > 20 for fn in RULES.values())


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_flags_the_bad_name_and_passes_the_good_one(rule):
    bad, good = CASES[rule]
    flagged = [f for f in check_name(CheckContext(bad, "village", neighbours=NEIGHBOURS)) if f.rule == rule]
    assert flagged, f"{rule} missed {bad}"
    assert all(f.message and f.suggestion and f.severity in ("error", "warning", "review") for f in flagged)
    # officers read Chinese: every finding explains and suggests in Chinese as well
    assert all(re.search("[\u4e00-\u9fff]", f.message_zh) and f.suggestion_zh for f in flagged)
    assert not [f for f in check_name(CheckContext(good, "village", neighbours=NEIGHBOURS)) if f.rule == rule]


def test_latin_letters_and_symbols():
    rules = {f.rule for f in check_name(CheckContext("ABC·村", "village"))}
    assert {"foreign", "digits_symbols"} <= rules

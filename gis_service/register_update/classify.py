"""Every difference between the register and an edition, classified (pure: no database).

| class | what it is |
|---|---|
| new | a unit the register does not have |
| gone | merged or abolished: the register's unit is not in the edition; a successor is suggested by name and place |
| renamed | same code, another name; `standard_changes` says whether the standard name changes or only the committee suffix |
| transliteration | a rename whose specific parts sound alike and are Mongolian (a root of the lexicon, or a gacha or sumu) |
| recoded | same standard name and parent, new code |
| moved | a new parent (the code changes with it, or not) |

A gone unit and a new one of the same standard name in the same county are one unit that
was re-coded or moved, not two."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from pypinyin import Style, pinyin

from gis_service.placenames.naming import split_name, standard_name
from gis_service.register_update.editions import Unit

MONGOLIAN_GENERICS = {"嘎查", "苏木"}
# initials and finals that minority names are written with either way (什里/希里, 乌日更/乌日根)
_SOUND = (("zh", "j"), ("ch", "q"), ("sh", "x"), ("eng", "en"), ("ing", "in"))


@dataclass(frozen=True)
class RegisterUnit(Unit):
    standard: str  # the register's standard name (place_name)


@dataclass(frozen=True)
class Change:
    kind: str
    level: str
    old_code: str | None = None
    new_code: str | None = None
    old_name: str | None = None
    new_name: str | None = None
    old_standard: str | None = None
    new_standard: str | None = None
    standard_changes: bool = False
    old_parent: str | None = None
    new_parent: str | None = None
    successor_code: str | None = None
    successor_name: str | None = None

    @property
    def code(self) -> str:
        return self.new_code or self.old_code or ""

    @property
    def county_code(self) -> str:
        return self.code[:6]

    @property
    def township_code(self) -> str:
        return self.code[:9]

    def as_row(self) -> dict:
        return asdict(self) | {"county_code": self.county_code, "township_code": self.township_code}


def _sounds(char: str) -> set[str]:
    """Every toneless reading of a character, with the initials and finals minority names
    are written with either way made one."""
    readings = set()
    for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
        for a, b in _SOUND:
            reading = reading.replace(a, b)
        readings.add(reading)
    return readings


def sound_alike(a: str, b: str) -> bool:
    """Whether two texts of one length can be read the same, character by character."""
    return len(a) == len(b) and all(_sounds(x) & _sounds(y) for x, y in zip(a, b, strict=True))


def _variant(old: str, new: str, mongolian: Callable[[str], bool]) -> bool:
    (old_spec, old_gen), (new_spec, new_gen) = split_name(old), split_name(new)
    if old_gen != new_gen or len(old_spec) != len(new_spec) or old_spec == new_spec:
        return False
    minority = old_gen in MONGOLIAN_GENERICS or mongolian(old_spec) or mongolian(new_spec)
    return minority and sound_alike(old_spec, new_spec)


def _between(kind: str, old_code: str, old: RegisterUnit, new_code: str, new: Unit) -> Change:
    """A change of a unit the register and the edition both hold (under one code or two)."""
    new_standard = standard_name(new.name)
    return Change(
        kind,
        level=new.level,
        old_code=old_code,
        new_code=new_code,
        old_name=old.name,
        new_name=new.name,
        old_standard=old.standard,
        new_standard=new_standard,
        standard_changes=new_standard != old.standard,
        old_parent=old.parent,
        new_parent=new.parent,
    )


def _same_code(code: str, old: RegisterUnit, new: Unit, mongolian) -> Change | None:
    if old.name == new.name and old.parent == new.parent:
        return None
    if old.parent != new.parent:
        return _between("moved", code, old, code, new)
    renamed = "transliteration" if _variant(old.standard, standard_name(new.name), mongolian) else "renamed"
    return _between(renamed, code, old, code, new)


def _shared(a: str, b: str) -> float:
    """How much of two names' specific parts is the same characters."""
    a, b = split_name(a)[0], split_name(b)[0]
    return len(set(a) & set(b)) / max(len(set(a)), len(set(b)), 1)


def _successor(
    code: str, old: RegisterUnit, edition: dict[str, Unit], new_codes: set[str], parents: dict, children
):
    """The edition's unit most like the gone one in name, under its parent (or under the
    parent's successor, when the parent is gone too): new units first."""
    parent = parents.get(old.parent, old.parent)
    siblings = [c for c in children.get(parent, ()) if edition[c].level == old.level and c != code]
    if not siblings:
        return None
    ranked = sorted(
        siblings,
        key=lambda c: (_shared(standard_name(edition[c].name), old.standard), c in new_codes),
        reverse=True,
    )
    best = ranked[0]
    if _shared(standard_name(edition[best].name), old.standard) == 0:
        fresh = [c for c in siblings if c in new_codes]
        best = fresh[0] if len(fresh) == 1 else None
    return best


def classify(
    register: dict[str, RegisterUnit], edition: dict[str, Unit], mongolian: Callable[[str], bool]
) -> list[Change]:
    """The changes, townships before villages and by code."""
    changes = [
        change
        for code in sorted(register.keys() & edition.keys())
        if (change := _same_code(code, register[code], edition[code], mongolian))
    ]
    gone = {c for c in register if c not in edition}
    new = {c for c in edition if c not in register}
    # a unit re-coded or moved: the same standard name, gone and new, in one county
    waiting = {}
    for c in sorted(new):
        waiting.setdefault((c[:6], edition[c].level, standard_name(edition[c].name)), []).append(c)
    for c in sorted(gone):
        old = register[c]
        match = waiting.get((c[:6], old.level, old.standard))
        if not match:
            continue
        n = match.pop(0)
        changes.append(
            _between("recoded" if edition[n].parent == old.parent else "moved", c, old, n, edition[n])
        )
        gone.discard(c)
        new.discard(n)
    parents: dict[str, str] = {}  # a gone township's successor, for its villages
    children: dict[str, list[str]] = {}
    for c, unit in edition.items():
        children.setdefault(unit.parent, []).append(c)
    for c in sorted(gone, key=lambda c: (len(c), c)):
        old = register[c]
        successor = _successor(c, old, edition, new, parents, children)
        if successor:
            parents[c] = successor
        changes.append(
            Change(
                "gone",
                level=old.level,
                old_code=c,
                old_name=old.name,
                old_standard=old.standard,
                old_parent=old.parent,
                successor_code=successor,
                successor_name=standard_name(edition[successor].name) if successor else None,
            )
        )
    for n in sorted(new):
        unit = edition[n]
        changes.append(
            Change(
                "new",
                level=unit.level,
                new_code=n,
                new_name=unit.name,
                new_standard=standard_name(unit.name),
                standard_changes=True,
                new_parent=unit.parent,
            )
        )
    return sorted(changes, key=lambda ch: (len(ch.code), ch.code, ch.kind))

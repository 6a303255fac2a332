"""The README's configuration tables are the settings: one table per concern, in the order
of gis_service/core/settings.py, naming exactly that concern's variables."""

import re

from gis_service.core.settings import CONCERNS, PROJECT_ROOT, Settings


def _tables() -> list[tuple[str, set[str]]]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    tables = []
    for part in section.split("\n### ")[1:]:
        title, body = part.split("\n", 1)
        first_cells = [row.split("|")[1] for row in body.splitlines() if row.startswith("| `")]
        tables.append((title, {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}))
    return tables


def test_each_concern_has_its_table_naming_its_variables():
    tables = _tables()
    assert len(tables) == len(CONCERNS)
    for (title, names), concern in zip(tables, CONCERNS, strict=True):
        assert names == {f.upper() for f in concern.model_fields}, title


def test_every_setting_belongs_to_one_concern():
    owned = [f for concern in CONCERNS for f in concern.model_fields]
    assert len(owned) == len(set(owned))
    assert set(owned) == set(Settings.model_fields)


def test_comma_lists_and_json_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "gis.example.gov.cn, 10.0.0.5")
    monkeypatch.setenv("JOINT_INSPECTION_YEARS", '{"province": 3}')
    settings = Settings(_env_file=None)
    assert settings.allowed_hosts == ["gis.example.gov.cn", "10.0.0.5"]
    assert settings.joint_inspection_years == {"province": 3}

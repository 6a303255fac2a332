"""Each vocabulary is declared once in Python; the database's CHECK lists (written in the
migrations), the layer styles and the map configuration must say the same."""

import re

import pytest

from gis_service.auth import roles
from gis_service.auth.schemas import Role
from gis_service.catalogue.declarations import LayerDeclaration, load_declarations
from gis_service.core.settings import PROJECT_ROOT
from gis_service.disputes.schemas import Status as DisputeStatus
from gis_service.inspections.vocabulary import CONDITIONS, UNKNOWN_COLOUR
from gis_service.placenames import approval
from gis_service.placenames.procedure import NEXT
from gis_service.placenames.vocabulary import STAGES, STATUSES

DISPUTE_STATUSES = set(DisputeStatus.__args__)
# (table, column) -> the vocabulary its CHECK list must equal
COLUMNS = {
    ("boundary_marker", "condition"): set(CONDITIONS),
    ("marker_inspection", "condition"): set(CONDITIONS),
    ("place_name_sign", "condition"): set(CONDITIONS),
    ("sign_inspection", "condition"): set(CONDITIONS),
    ("place_name", "status"): set(STATUSES),
    ("naming_request", "stage"): set(STAGES),
    ("boundary_dispute", "status"): DISPUTE_STATUSES,
    ("app_user", "role"): set(roles.ROLES),
    ("naming_approval_rule", "level"): set(approval.LEVELS),
}


def _check_list(db, table: str, column: str) -> set[str]:
    rows = db.execute(
        """SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = %s::regclass AND c.contype = 'c'""",
        (table,),
    ).fetchall()
    # written as IN (...), PostgreSQL gives back (column)::text = ANY (ARRAY['a', ...])
    found = [d for (d,) in rows if re.search(rf"\({column}\)(::\w+)? = ANY", d)]
    assert found, f"no CHECK list on {table}.{column}"
    return set(re.findall(r"'([^']+)'", found[0]))


@pytest.mark.parametrize(("table", "column"), list(COLUMNS), ids=lambda x: x if isinstance(x, str) else None)
def test_the_database_checks_the_declared_vocabulary(db, table, column):
    assert _check_list(db, table, column) == COLUMNS[(table, column)]


def test_the_procedure_moves_between_declared_stages():
    assert set(NEXT) == set(STAGES) and set().union(*NEXT.values()) <= set(STAGES)


@pytest.mark.parametrize("layer", ["boundary_marker", "place_name_sign"])
def test_layer_styles_colour_the_declared_conditions(layer):
    style = load_declarations(PROJECT_ROOT / "layers")[layer].style
    assert style.color_by == "condition"
    never_visited = {"unknown": UNKNOWN_COLOUR}
    assert style.colors == {code: c.colour for code, c in CONDITIONS.items()} | never_visited


def test_the_map_is_given_the_vocabularies(client):
    vocabularies = client.get("/api/v1/map-config").json()["vocabularies"]
    assert [c["code"] for c in vocabularies["conditions"]] == list(CONDITIONS)
    assert vocabularies["conditions"][0]["colour"] == CONDITIONS["intact"].colour
    assert {s["code"] for s in vocabularies["place_name_statuses"]} == set(STATUSES)
    assert [s["code"] for s in vocabularies["naming_stages"]] == list(STAGES)


def test_the_map_keeps_no_copy_of_the_vocabularies():
    """The map's words for place-name statuses and naming stages come from map-config
    (i18n.useVocabularies), so they cannot drift from the server's (驳回, not a second word)."""
    texts = (PROJECT_ROOT / "web_map" / "static" / "js" / "i18n.js").read_text(encoding="utf-8")
    copies = re.findall(r"\b((?:status|stage)_[a-z_]+):\s*\"", texts)
    assert copies == [], copies


JS = PROJECT_ROOT / "web_map" / "static" / "js"


def test_the_roles_are_declared_once():
    """auth/roles.py: the API's Role type is its ROLES, each capability names known roles,
    the layer declarations name only known roles (a typo fails their load), and the map
    has each role's name in both languages."""
    assert Role.__args__ == roles.ROLES
    assert set().union(*roles.CAPABILITIES.values()) <= set(roles.ROLES)
    for layer in load_declarations(PROJECT_ROOT / "layers").values():
        assert set(layer.read_roles + layer.edit_roles + (layer.default_for_roles or [])) <= {
            *roles.ROLES,
            roles.ANONYMOUS,
            "*",
        }
    with pytest.raises(ValueError, match="unknown role"):
        LayerDeclaration.model_validate(
            {**load_declarations(PROJECT_ROOT / "layers")["grave"].model_dump(), "edit_roles": ["inspecter"]}
        )
    names = (JS / "i18n.js").read_text(encoding="utf-8")
    for role in roles.ROLES:
        assert len(re.findall(rf"\brole_{role}:", names)) == 2, role  # Chinese and English


def test_the_map_holds_no_role_names():
    """The map asks what the user may do (map-config's capabilities, `may()` in api.js),
    never which role they hold: a new role needs no change in the JS but its names."""
    pattern = re.compile(r"[\"'](" + "|".join(roles.ROLES) + r")[\"']")
    found = {
        p.name: pattern.findall(p.read_text(encoding="utf-8"))
        for p in [*JS.glob("*.js"), PROJECT_ROOT / "web_map" / "sw.js"]
        if p.name != "i18n.js" and pattern.search(p.read_text(encoding="utf-8"))
    }
    assert found == {}


def test_the_map_is_told_what_the_user_may_do(client, auth):
    config = client.get("/api/v1/map-config", headers=auth("inspector")).json()
    assert config["capabilities"] == roles.capabilities_of("inspector")
    assert "field_work" in config["capabilities"] and "place_names" not in config["capabilities"]
    me = client.get("/api/v1/auth/me", headers=auth("placename_officer")).json()
    assert me["capabilities"] == ["sign_work", "place_names"]


def test_a_new_role_reaches_the_database_at_the_next_upgrade(owner_url, monkeypatch):
    """A role added in auth/roles.py widens app_user's CHECK list without a migration (the
    upgrade's vocabulary step), and nothing else changes. Tried in a transaction rolled back."""
    from sqlalchemy import create_engine

    from gis_service.migrations import vocabularies

    wider = [*roles.ROLES, "surveyor"]
    monkeypatch.setitem(vocabularies.VOCABULARIES, ("app_user", "role"), lambda: wider)
    engine = create_engine(owner_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        transaction = connection.begin()
        assert vocabularies.sync(connection) == ["app_user_role_known"]
        assert vocabularies.check_list(connection, "app_user", "role")[1] == set(wider)
        assert vocabularies.sync(connection) == []  # once right, left alone
        transaction.rollback()
    engine.dispose()

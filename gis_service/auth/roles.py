"""The roles and what each may do, declared once. Routes ask for a capability, never for a
role by name; the map is told the signed-in user's capabilities and holds no role names.
The database's CHECK list, the API schema, the layer declarations and the map's
translations are checked against ROLES by tests/test_vocabularies.py.

Adding a role: a line in ROLES (and Role) and in CAPABILITIES' sets where it belongs,
and its name in web_map/static/js/i18n.js (role_<name>, both languages). The database's
CHECK list follows ROLES at the next upgrade (migrations/vocabularies.py)."""

from __future__ import annotations

from typing import Literal

ADMIN = "admin"
ROLES = ("admin", "inspector", "placename_officer", "planner", "viewer")
Role = Literal["admin", "inspector", "placename_officer", "planner", "viewer"]
ANONYMOUS = "anonymous"  # a layer declaration's name for readers not signed in

# capability -> the roles holding it besides the administrator, who holds every one
CAPABILITIES: dict[str, frozenset[str]] = {
    # visits, repairs and findings on boundary markers, disputes, joint inspections
    "field_work": frozenset({"inspector"}),
    # visits and repairs of place-name signs
    "sign_work": frozenset({"inspector", "placename_officer"}),
    # the place-name register: names, the naming procedure, signs
    "place_names": frozenset({"placename_officer"}),
    # funeral planning: facilities, zones, remediation, the planners' page and reports
    "planning": frozenset({"planner"}),
    # individual graves (they name the dead's families' land)
    "grave_reading": frozenset({"planner", "inspector"}),
    # accounts, audit, settings
    "administration": frozenset(),
}

# what the map's top bar offers, by the capability it needs (None: everyone signed in)
MAP_ACTIONS: dict[str, str | None] = {
    "place_search": None,
    "nearest_markers": "field_work",
    "field_tools": "field_work",
    "planner_page": "planning",
    "register_review": "place_names",
    "accounts_page": "administration",
}


def holds(role: str | None, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return role == ADMIN or role in CAPABILITIES[capability]


def roles_holding(capability: str) -> frozenset[str]:
    return frozenset({ADMIN, *CAPABILITIES[capability]})


def capabilities_of(role: str | None) -> list[str]:
    return [c for c in CAPABILITIES if holds(role, c)]


def map_actions(role: str | None) -> list[str]:
    if role is None:
        return []
    return [action for action, needs in MAP_ACTIONS.items() if needs is None or holds(role, needs)]

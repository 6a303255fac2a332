"""What each role's map offers in its top bar. Every signed-in role may open any page its
API allows (the planners' page reads what any signed-in user may read); these are the
tools a role sees first. Layers that open differently by role say so in their
declarations (`default_for_roles`)."""

from __future__ import annotations

MAP_ACTIONS: dict[str, list[str]] = {
    "admin": ["place_search", "nearest_markers", "field_tools", "planner"],
    "inspector": ["place_search", "nearest_markers", "field_tools"],
    "placename_officer": ["place_search"],
    "planner": ["place_search", "planner"],
    "viewer": ["place_search", "planner"],
}


def map_actions(role: str | None) -> list[str]:
    return MAP_ACTIONS.get(role or "", [])

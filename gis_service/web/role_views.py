"""What each role's map offers in its top bar. The planners' page is for planners and
administrators: it reads individual graves and produces the planners' report and map,
which the API gives only to them (a viewer who opens /planner is told so). Layers that
open differently by role say so in their declarations (`default_for_roles`)."""

from __future__ import annotations

PLANNER_PAGE_ROLES = ("planner", "admin")
MAP_ACTIONS: dict[str, list[str]] = {
    "admin": ["place_search", "nearest_markers", "field_tools", "planner"],
    "inspector": ["place_search", "nearest_markers", "field_tools"],
    "placename_officer": ["place_search"],
    "planner": ["place_search", "planner"],
    "viewer": ["place_search"],
}


def map_actions(role: str | None) -> list[str]:
    return MAP_ACTIONS.get(role or "", [])

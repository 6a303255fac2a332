"""The catalogue's layers in map order, as the tests expect them."""

LAYER_IDS = [
    "province_boundary",
    "city_boundary",
    "county_boundary",
    "township_unit",
    "boundary_line",
    "boundary_dispute",
    "boundary_marker",
    "place_name",
    "place_name_finding",
    "place_name_sign",
    "funeral_facility",
    "burial_zone",
    "restricted_corridor",
    "restricted_zone",
    "grave",
]
# Layers only some roles may read (administrators read everything).
READ_ROLES = {"grave": {"planner", "inspector"}}


def layers_for(role: str) -> list[str]:
    return [i for i in LAYER_IDS if role == "admin" or i not in READ_ROLES or role in READ_ROLES[i]]

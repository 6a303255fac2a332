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

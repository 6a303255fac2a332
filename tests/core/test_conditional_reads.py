"""If-None-Match is one check for every read that can answer 304 (tiles, the base map,
pages of features): a list of tags, compared weakly, or `*` (RFC 9110 13.1.2)."""

import pytest

from gis_service.core.etags import unchanged

TAG = '"abc123"'


@pytest.mark.parametrize(
    ("sent", "current", "expected"),
    [
        (TAG, TAG, True),
        (f"W/{TAG}", TAG, True),  # weak comparison: W/ on either side
        (TAG, f"W/{TAG}", True),
        (f'"other", {TAG}', TAG, True),
        (f'"other",W/{TAG}', TAG, True),
        ("*", TAG, True),
        ('"other"', TAG, False),
        ('"abc12"', TAG, False),
        ("", TAG, False),
        (None, TAG, False),
    ],
)
def test_if_none_match(sent, current, expected):
    assert unchanged(sent, current) is expected


def test_a_tile_revalidated_with_a_list_of_tags_is_a_304(client, auth):
    url = "/api/v1/layers/county_boundary/tiles/8/206/97"
    first = client.get(url, headers=auth("viewer"))
    assert first.status_code == 200
    listed = f'"older", W/{first.headers["etag"]}'
    again = client.get(url, headers=auth("viewer") | {"If-None-Match": listed})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]

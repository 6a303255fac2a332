"""Reading a bundle of tiles (gis_service/offline/bundles.py) as a client does."""

import json
import struct


def read_bundle(response) -> list[tuple[dict, bytes]]:
    """[(index entry, tile bytes)] of a bundle's answer, in order."""
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/vnd.gis-service.tile-bundle"
    body = response.content  # the transport's gzip already undone
    (n,) = struct.unpack(">I", body[:4])
    index = json.loads(body[4 : 4 + n])["tiles"]
    at, out = 4 + n, []
    for entry in index:
        out.append((entry, body[at : at + entry["length"]]))
        at += entry["length"]
    assert at == len(body), "the index accounts for every byte"
    return out

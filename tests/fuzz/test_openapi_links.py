"""The OpenAPI document carries links from every list to its records, and following them
as a client would (reading nothing but the document and the answers) reaches each record,
which answers as its document says.

The pairs are found in the document itself, `GET /things` beside `GET /things/{id}`, so a
new list and record route must gain a link without anyone listing it here."""

import re

import pytest

from tests.fuzz.documents import answer_errors

# Lists whose answers name their records only by URI (OGC API - Tiles' tileset lists give
# `tileMatrixSetURI`, never an id): a client follows their `links` members instead.
NAMED_BY_URI = {"/ogc/tiles", "/ogc/collections/{layer_id}/tiles"}
# the layer a list of features is read from, where the list's path names one
LAYER = "county_boundary"


def _pairs(doc: dict) -> list[tuple[str, str]]:
    paths = doc["paths"]
    out = []
    for path, ops in paths.items():
        m = re.fullmatch(r"(.*)/\{\w+\}", path)
        if "get" in ops and m and "get" in paths.get(m.group(1), {}):
            out.append((m.group(1), path))
    return out


def _operation(doc: dict, ref: str) -> tuple[str, str]:
    """The path and method an operationRef points at."""
    assert ref.startswith("#/paths/"), ref
    escaped, method = ref.removeprefix("#/paths/").rsplit("/", 1)
    path = escaped.replace("~1", "/").replace("~0", "~")
    assert method in doc["paths"][path], ref
    return path, method


def _links(doc: dict, path: str) -> dict:
    return doc["paths"][path]["get"]["responses"]["200"].get("links", {})


def test_every_list_links_to_its_records(app):
    doc = app.openapi()
    pairs = _pairs(doc)
    assert len(pairs) >= 14
    missing = []
    for listed, record in pairs:
        targets = {_operation(doc, link["operationRef"])[0] for link in _links(doc, listed).values()}
        if record not in targets and listed not in NAMED_BY_URI:
            missing.append(f"{listed} -> {record}")
    assert missing == []


def _value(expression: str, request_path: dict, body):
    """A runtime expression of the two kinds the document uses."""
    if expression.startswith("$request.path."):
        return request_path[expression.removeprefix("$request.path.")]
    pointer = expression.removeprefix("$response.body#")
    for part in pointer.strip("/").split("/"):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


@pytest.mark.usefixtures("one_of_each")
def test_following_the_links_reaches_every_record(app, client, auth):
    doc = app.openapi()
    headers = auth("admin")
    reached, failed = [], []
    for path, ops in doc["paths"].items():
        for link in _links(doc, path).values() if "get" in ops else ():
            request_path = {"layer_id": LAYER}
            answer = client.get(path.format(**request_path), headers=headers | {"Accept": "application/json"})
            assert answer.status_code == 200, (path, answer.text[:200])
            target, _ = _operation(doc, link["operationRef"])
            params = {k: _value(v, request_path, answer.json()) for k, v in link["parameters"].items()}
            record = client.get(target.format(**params), headers=headers)
            errors = answer_errors(doc, target, record) if record.status_code == 200 else record.status_code
            (failed if errors else reached).append((target, params, errors))
    assert failed == []
    assert {target for target, _, _ in reached} == {r for lst, r in _pairs(doc) if lst not in NAMED_BY_URI}

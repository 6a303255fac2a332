"""OpenAPI links from a list to its records, so that a client or a fuzzer reading the
document can walk from `GET /things` to `GET /things/{id}` without being told how.

A link names its target by `operationRef` (a JSON pointer into the document's paths), not
by operationId: FastAPI derives operationIds from function names, which move.
"""

from __future__ import annotations


def operation_ref(path: str, method: str = "get") -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"


def record_link(record_path: str, **parameters: str) -> dict:
    """The `links` of a list's 200 answer, leading to one of its records: each path
    parameter of `record_path` given as a runtime expression, e.g.
    `place_id="$response.body#/results/0/id"` or `layer_id="$request.path.layer_id"`."""
    return {"links": {"record": {"operationRef": operation_ref(record_path), "parameters": parameters}}}


# a record of the same layer as the list's
SAME_LAYER = "$request.path.layer_id"
# the id of a FeatureCollection's first feature
FIRST_FEATURE_ID = "$response.body#/features/0/id"

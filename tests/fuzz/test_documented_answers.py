"""Every JSON answer is documented, and the documents are true.

Routes document their answers (core/answers.py) without FastAPI applying the models at run
time, so these tests hold the documents to the answers: every 2xx JSON answer in the
OpenAPI document has a schema, and real answers, read with real data, match it."""

import re

import pytest

from tests.fuzz.documents import answer_errors

JSON = re.compile(r"json")
# GET routes read with query parameters they require, or of a known record
READ_WITH = {
    "/api/v1/place-names/romanize": "?name=达拉特旗",
    "/api/v1/markers/nearest": "?lon=109.8&lat=39.6",
    "/api/v1/funeral/graves/points": "?bbox=106.7,37.6,111.5,40.9&limit=50",
    "/api/v1/place-names": "?limit=5",
}
PATH_VALUES = {
    "layer_id": "county_boundary",
    "code": None,  # taken from the lists (tests/fuzz/test_openapi_links.py walks them too)
    "tms": "WebMercatorQuad",
    "username": "demo_admin",
}


def _operations(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if status.startswith("2"):
                    yield path, method, status, response


def test_every_json_answer_has_a_schema(app):
    undocumented = sorted(
        f"{method.upper()} {path} {status} {media}"
        for path, method, status, response in _operations(app.openapi())
        for media, content in response.get("content", {}).items()
        if JSON.search(media) and content.get("schema", {"type": "string"}) == {"type": "string"}
    )
    assert undocumented == []


@pytest.mark.usefixtures("one_of_each")
def test_real_answers_match_their_documents(app, client, auth):
    doc = app.openapi()
    headers = auth("admin")
    checked, wrong, skipped = [], [], []
    for path, method, status, response in _operations(doc):
        params = re.findall(r"{(\w+)}", path)
        if method != "get" or status != "200" or any(PATH_VALUES.get(p) is None for p in params):
            continue
        if not any(JSON.search(m) and c.get("schema") for m, c in response.get("content", {}).items()):
            continue
        url = path.format(**PATH_VALUES) + READ_WITH.get(path, "")
        answer = client.get(url, headers=headers | {"Accept": "application/json"})
        if answer.status_code != 200 or not JSON.search(answer.headers["content-type"]):
            skipped.append((url, answer.status_code))
            continue
        errors = answer_errors(doc, path, answer)
        (wrong if errors else checked).append((url, errors[:3]))
    assert wrong == []
    assert len(checked) >= 40, checked
    assert skipped == []

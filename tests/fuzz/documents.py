"""Reading the service's own OpenAPI document as a client does."""

import jsonschema_rs


def answer_errors(doc: dict, path: str, response) -> list[str]:
    """Where a GET answer of `path` (a document path) differs from its documented schema
    for the answer's media type; a media type without a schema has nothing to differ."""
    media = response.headers["content-type"].split(";")[0]
    content = doc["paths"][path]["get"]["responses"][str(response.status_code)].get("content", {})
    schema = content.get(media, {}).get("schema")
    if not schema:
        return []
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]})
    return [e.message for e in validator.iter_errors(response.json())][:3]

"""The error answers every operation may give, written into the OpenAPI document so
that clients (and the schema-driven fuzz tests) know their shape: one JSON body,
`{"code", "message", "message_zh"}` (plus `rows` for a rejected import)."""

from __future__ import annotations

ERROR_BODY = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["code", "message", "message_zh"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string", "description": "English"},
        "message_zh": {"type": "string", "description": "Chinese"},
        "rows": {"type": "array", "items": {"type": "object"}, "description": "row-by-row import errors"},
    },
}
STATUSES = {
    "400": "Bad input: the message says what to change",
    "401": "Not signed in, or the sign-in has ended",
    "403": "The caller's role may not do this",
    "404": "No such resource",
    "405": "Method not allowed",
    "409": "Conflicts with the current state",
    "412": "The If-Match version is no longer current",
    "413": "The request body is too large",
    "428": "An update of an existing record needs If-Match",
    "422": "The request does not match this operation's parameters or body",
    "429": "Too many attempts; see Retry-After",
    "503": "The database is unavailable; retry shortly",
    "507": "The photo store is full",
}


def document_errors(schema: dict) -> dict:
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorBody"] = ERROR_BODY
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in STATUSES.items():
                # FastAPI's default 422 body is not what the service sends: replace it.
                operation["responses"][status] = {
                    "description": description,
                    "content": {"application/json": {"schema": ref}},
                }
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    return schema

"""A route that FastAPI documents from its endpoint's signature like any other, but that
answers without FastAPI's per-request work (building and solving the dependency tree,
validating parameters into a model, serialising a response model).

For the hottest read only: a map asks for dozens of vector tiles at every pan, and on a
cached tile that work was about a third of the worker's time. The route's `arguments`
function supplies what FastAPI would have resolved, by calling the same dependency
functions directly, so the same checks run and raise the same errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

Arguments = Callable[[Request], Awaitable[dict[str, Any]]]


class LeanRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        endpoint = self.endpoint
        arguments: Arguments = endpoint.lean_arguments

        async def answer(request: Request) -> Response:
            return await endpoint(**await arguments(request))

        return answer


def lean(arguments: Arguments):
    """Mark an endpoint to be served by LeanRoute with these arguments."""

    def mark(endpoint):
        endpoint.lean_arguments = arguments
        return endpoint

    return mark


def path_int(request: Request, name: str) -> int:
    """An integer path parameter, refused as FastAPI refuses one (422)."""
    raw = request.path_params[name]
    try:
        return int(raw)
    except ValueError:
        raise RequestValidationError(
            [
                {
                    "type": "int_parsing",
                    "loc": ("path", name),
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "input": raw,
                }
            ]
        ) from None

"""Answers computed from whole tables (the plan's indicators, remediation progress,
facility coverage), kept by each worker until a table they read changes. The key holds
the tables' data versions (tile_cache.current_versions: from memory while the change feed
is heard, else one query), so a cached answer is the one the data would give now; a write
anywhere in those tables makes the next request compute afresh. A planner's page asks for
several of them at every visit; computed, each takes tens of milliseconds of the
database's time."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from fastapi import Request

from gis_service.catalogue.tile_cache import current_versions

MAX_ANSWERS = 128  # a few kinds of answer × their parameters: small, and bounded


class AnswerCache:
    def __init__(self, max_answers: int = MAX_ANSWERS) -> None:
        self._answers: OrderedDict[Hashable, tuple[str, Any]] = OrderedDict()
        self._max = max_answers

    async def answer(
        self, request: Request, tables: list[str], key: Hashable, compute: Callable[[], Awaitable[Any]]
    ) -> Any:
        # the versions are read before computing: a write racing the computation leaves
        # the answer under the older versions, which the next request no longer matches
        versions = await current_versions(request, tables)
        kept = self._answers.get(key)
        if kept is not None and kept[0] == versions:
            self._answers.move_to_end(key)
            return kept[1]
        value = await compute()
        self._answers[key] = (versions, value)
        self._answers.move_to_end(key)
        while len(self._answers) > self._max:
            self._answers.popitem(last=False)
        return value


async def cached_answer(
    request: Request, tables: list[str], key: Hashable, compute: Callable[[], Awaitable[Any]]
) -> Any:
    """The app's answer cache (app.state.answer_cache)."""
    return await request.app.state.answer_cache.answer(request, tables, key, compute)

"""One LISTEN connection per process, fed by the database's NOTIFYs (migration 0021).

Handlers are called synchronously as each notification arrives, so that a cache drops
what changed before the event loop serves the next request. While the connection is
down nothing can be trusted to be fresh: `live` is False (the caches then ask the
database), and every reset handler runs when it comes back, because notifications may
have been missed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg

from gis_service.monitoring import metrics

log = logging.getLogger(__name__)

CHANNELS = ("data_changed", "auth_changed")


class ChangeFeed:
    def __init__(self, url: Callable[[], str]) -> None:
        self.url = url  # read when the feed starts: the app can be built before it is configured
        self.live = False
        self._handlers: dict[str, list[Callable[[str], None]]] = {c: [] for c in CHANNELS}
        self._resets: list[Callable[[], None]] = []
        self._losses: list[Callable[[], None]] = []

    def on(self, channel: str, handler: Callable[[str], None]) -> None:
        self._handlers[channel].append(handler)

    def on_reset(self, handler: Callable[[], None]) -> None:
        """Called whenever announcements may have been missed: on (re)connecting and on losing
        the connection."""
        self._resets.append(handler)

    def on_lost(self, handler: Callable[[], None]) -> None:
        """Called when the connection to the database is lost."""
        self._losses.append(handler)

    def _reset(self) -> None:
        for handler in self._resets:
            handler()

    async def run_forever(self) -> None:
        delay = 0.2
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.url(), autocommit=True, application_name="gis_service_changes"
                ) as conn:
                    for channel in CHANNELS:
                        await conn.execute(f"LISTEN {channel}")
                    self._reset()  # whatever happened while we were not listening
                    self.live = True
                    metrics.CHANGE_FEED.set(1)
                    delay = 0.2
                    async for note in conn.notifies():
                        for handler in self._handlers.get(note.channel, ()):
                            handler(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarts: try again, trusting nothing meanwhile
                if self.live:
                    log.warning("change notifications interrupted: %s", exc.__class__.__name__)
            self.live = False
            metrics.CHANGE_FEED.set(0)
            self._reset()
            for handler in self._losses:
                handler()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

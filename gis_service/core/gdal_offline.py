"""GDAL without network in the service process. GDAL only writes exports here (uploads
are read without it, see file_intake), but a path or URL that ever reached it must not
make the server fetch anything: /vsicurl/ is told no file exists remotely, and GDAL's own
HTTP client goes through a proxy on a port where nothing listens. PROJ stays off the
network too (its grids come from the installed data)."""

from __future__ import annotations

import os

SETTINGS = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".no-remote-files",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",  # the discard port: every connection is refused
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "PROJ_NETWORK": "OFF",
}


def switch_off_gdal_network() -> None:
    """Set in the environment, which GDAL and PROJ read at each use (before or after import)
    and worker processes inherit. Called by `serve`, not by the app factory: a process that
    embeds the app (the tests, with GDAL as a client beside it) keeps its own network."""
    os.environ.update(SETTINGS)

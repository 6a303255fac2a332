"""Everything `gis-service db prepare` (and ./scripts/run) does before serving, as the
schema owner: migrate, grant the service role its privileges, make the audit key, and
load what is missing."""

from __future__ import annotations

import asyncio
import logging

from gis_service.audit.keys import load_key
from gis_service.core.migrations import upgrade
from gis_service.core.settings import Settings
from gis_service.ops.db_roles import grant_service_role, role_of
from gis_service.reference_data.setup import prepare

log = logging.getLogger(__name__)


def setup_database(settings: Settings, *, demo: bool) -> dict[str, object]:
    owner = settings.as_owner()
    upgrade(owner.sqlalchemy_url)
    service_role = role_of(settings.database_url)
    if service_role != role_of(owner.database_url):
        grant_service_role(settings.owner_url, service_role)
    else:
        log.warning("DATABASE_OWNER_URL is not set: the service runs as the schema owner")
    load_key(settings, create=True)
    return asyncio.run(prepare(owner, demo=demo))

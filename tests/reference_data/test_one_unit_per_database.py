"""A database holds one unit's reference data, recorded when it is loaded: asking it to
serve any other unit (the country, a county within it, a unit elsewhere) is refused with
a message, and changes nothing."""

import asyncio

import psycopg
import pytest

from gis_service.core.db import standalone_session
from gis_service.core.migrations import upgrade
from gis_service.core.settings import Settings
from gis_service.reference_data.loader import AnotherUnitsDatabase, load_reference

ORDOS_DATA = Settings(_env_file=None).layers_dir / "data"


def _load(url: str, home_code: str) -> dict:
    async def run():
        async with standalone_session(Settings(database_url=url, _env_file=None)) as session:
            return await load_reference(session, ORDOS_DATA, home_code)

    return asyncio.run(run())


def test_a_database_serves_only_the_unit_it_was_loaded_for(empty_database):
    upgrade(Settings(database_url=empty_database, _env_file=None).sqlalchemy_url)
    assert _load(empty_database, "150600")["counties.geojson"] == 80
    assert _load(empty_database, "150600") == {}  # loaded once; starting again is fine
    with psycopg.connect(empty_database) as con:
        before = con.execute("SELECT count(*), max(id) FROM admin_unit").fetchone()
        assert con.execute("SELECT code FROM reference_unit").fetchall() == [("150600",)]
    for other in ("100000", "150602", "150000", "330100"):
        with pytest.raises(AnotherUnitsDatabase, match=f"holds the reference data of 150600, not of {other}"):
            _load(empty_database, other)
    with psycopg.connect(empty_database) as con:
        assert con.execute("SELECT count(*), max(id) FROM admin_unit").fetchone() == before
        assert con.execute("SELECT code FROM reference_unit").fetchall() == [("150600",)]


def test_a_database_loaded_before_the_unit_was_recorded_learns_it(empty_database):
    upgrade(Settings(database_url=empty_database, _env_file=None).sqlalchemy_url)
    _load(empty_database, "150600")
    with psycopg.connect(empty_database, autocommit=True) as con:
        con.execute("DELETE FROM reference_unit")
    with pytest.raises(AnotherUnitsDatabase):
        _load(empty_database, "330100")  # no row of Hangzhou's own: not this database's unit
    assert _load(empty_database, "150600") == {}
    with psycopg.connect(empty_database) as con:
        assert con.execute("SELECT code FROM reference_unit").fetchall() == [("150600",)]
    with pytest.raises(AnotherUnitsDatabase):
        _load(empty_database, "100000")

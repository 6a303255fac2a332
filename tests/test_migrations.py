"""Alembic is the only way the schema is made: it must go down and up cleanly."""

import pytest
from sqlalchemy import create_engine, inspect

from gis_service.core.migrations import downgrade, head_revision, upgrade
from gis_service.core.settings import Settings


@pytest.fixture
def scratch_db(empty_database):
    return Settings(database_url=empty_database, _env_file=None).sqlalchemy_url


def test_upgrade_downgrade_upgrade(scratch_db):
    upgrade(scratch_db)
    engine = create_engine(scratch_db)
    tables = set(inspect(engine).get_table_names())
    assert {"admin_unit", "admin_unit_change", "app_user", "auth_token", "audit_log"} <= tables
    with engine.connect() as con:
        srid = con.exec_driver_sql(
            "SELECT srid FROM geometry_columns WHERE f_table_name = 'admin_unit'"
        ).scalar()
        assert srid == 4490
        assert con.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    downgrade(scratch_db, "base")
    assert not ({"admin_unit", "app_user"} & set(inspect(engine).get_table_names()))
    upgrade(scratch_db)
    assert "admin_unit" in inspect(engine).get_table_names()
    engine.dispose()

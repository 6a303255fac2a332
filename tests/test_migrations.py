"""Alembic is the only way the schema is made: it must go down and up cleanly."""

import psycopg
import pytest
from sqlalchemy import create_engine, inspect

from gis_service.core.migrations import downgrade, head_revision, upgrade
from gis_service.core.settings import Settings


@pytest.fixture
def scratch_db(prepared_db):
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS gis_migrations")
        con.execute("CREATE DATABASE gis_migrations")
    base, _, _ = prepared_db.rpartition("/")
    url = Settings(database_url=f"{base}/gis_migrations", _env_file=None).sqlalchemy_url
    yield url
    with psycopg.connect(prepared_db, autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS gis_migrations WITH (FORCE)")


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

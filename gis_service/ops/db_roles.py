"""The service's database role: rows only, never the schema.

The owner role runs migrations and loads data. The service connects as a role that can
read and write rows and use temporary tables, and nothing more: it cannot alter or drop
a table, disable a trigger, switch triggers off with session_replication_role (that
needs a superuser), or change or remove an audit row or seal. Granted after every
migration, so that new tables are covered.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

# Appended to, never changed: the service may only add rows here.
APPEND_ONLY = ("audit_log", "audit_seal", "audit_chain", "inspection_signature")
READ_ONLY = ("alembic_version", "spatial_ref_sys")


def role_of(url: str) -> str:
    return unquote(urlsplit(url).username or "")


def grant_service_role(owner_url: str, service_role: str) -> None:
    """Give `service_role` exactly what the service needs in the owner's database."""
    role = sql.Identifier(service_role)
    with psycopg.connect(owner_url, autocommit=True) as con, con.transaction():
        db = sql.Identifier(con.execute("SELECT current_database()").fetchone()[0])
        superuser = con.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = %s", (service_role,)
        ).fetchone()
        if superuser is None:
            raise RuntimeError(f"The database role {service_role!r} does not exist.")
        if superuser[0]:
            raise RuntimeError(
                f"The service's database role {service_role!r} is a superuser: give it a role "
                "of its own (see the README, 'Database roles')."
            )
        if con.execute("SELECT pg_has_role(%s, current_user, 'MEMBER')", (service_role,)).fetchone()[0]:
            raise RuntimeError(
                f"The service's database role {service_role!r} is a member of the owner's role, "
                "so it has the owner's rights: give it a role of its own."
            )
        for statement in (
            "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "REVOKE CREATE ON SCHEMA public FROM {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
        ):
            con.execute(sql.SQL(statement).format(db=db, role=role))
        for names, privileges in ((APPEND_ONLY, "UPDATE, DELETE"), (READ_ONLY, "INSERT, UPDATE, DELETE")):
            for name in names:
                exists = con.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{name}",)).fetchone()[0]
                if exists:
                    con.execute(
                        sql.SQL("REVOKE " + privileges + " ON {table} FROM {role}").format(
                            table=sql.Identifier(name), role=role
                        )
                    )

"""Foundation: PostGIS, admin units with history, accounts, tokens, audit log, layer views.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.execute("""
    CREATE TABLE admin_unit (
        id bigserial CONSTRAINT admin_unit_pkey PRIMARY KEY,
        code varchar(12) NOT NULL CONSTRAINT admin_unit_code_digits CHECK (code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$'),
        name text NOT NULL CONSTRAINT admin_unit_name_not_blank CHECK (btrim(name) <> ''),
        level varchar(10) NOT NULL CONSTRAINT admin_unit_level_known
            CHECK (level IN ('province','city','county','township','village')),
        parent_code varchar(12),
        name_romanized text,
        name_romanized_source text,
        valid_from date,
        valid_from_precision varchar(10) CONSTRAINT admin_unit_valid_from_precision_known
            CHECK (valid_from_precision IN ('day','month','year','range')),
        valid_to date,
        geom geometry(MultiPolygon, 4490) CONSTRAINT admin_unit_geom_valid CHECK (geom IS NULL OR ST_IsValid(geom)),
        source text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admin_unit_validity_ordered CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from)
    )""")
    # One current version per code; older versions keep the code with a valid_to.
    op.execute("CREATE UNIQUE INDEX admin_unit_code_current_uq ON admin_unit (code) WHERE valid_to IS NULL")
    op.execute("CREATE INDEX admin_unit_parent_idx ON admin_unit (parent_code)")
    op.execute("CREATE INDEX admin_unit_geom_idx ON admin_unit USING gist (geom)")

    op.execute("""
    CREATE TABLE admin_unit_change (
        id bigserial CONSTRAINT admin_unit_change_pkey PRIMARY KEY,
        code varchar(12) NOT NULL,
        name text NOT NULL,
        change_type varchar(20) NOT NULL CONSTRAINT admin_unit_change_type_known
            CHECK (change_type IN ('created','renamed','recoded','merged','abolished','boundary_changed')),
        effective_date date,
        date_precision varchar(10) NOT NULL CONSTRAINT admin_unit_change_precision_known
            CHECK (date_precision IN ('day','month','year','range')),
        related_codes varchar(12)[] NOT NULL DEFAULT '{}',
        authority text,
        source text NOT NULL,
        note text,
        admin_unit_id bigint CONSTRAINT admin_unit_change_unit_fkey REFERENCES admin_unit (id)
    )""")
    op.execute("CREATE INDEX admin_unit_change_code_idx ON admin_unit_change (code)")

    op.execute("""
    CREATE TABLE app_user (
        id bigserial CONSTRAINT app_user_pkey PRIMARY KEY,
        username varchar(64) NOT NULL CONSTRAINT app_user_username_uq UNIQUE
            CONSTRAINT app_user_username_format CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
        display_name text,
        role varchar(32) NOT NULL CONSTRAINT app_user_role_known
            CHECK (role IN ('admin','inspector','placename_officer','planner','viewer')),
        password_hash text NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        is_demo boolean NOT NULL DEFAULT false,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("""
    CREATE TABLE auth_token (
        id bigserial CONSTRAINT auth_token_pkey PRIMARY KEY,
        user_id bigint NOT NULL CONSTRAINT auth_token_user_fkey REFERENCES app_user (id) ON DELETE CASCADE,
        token_hash varchar(64) NOT NULL CONSTRAINT auth_token_hash_uq UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
    )""")
    op.execute("CREATE INDEX auth_token_user_idx ON auth_token (user_id)")

    op.execute("""
    CREATE TABLE audit_log (
        id bigserial CONSTRAINT audit_log_pkey PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id bigint,
        actor varchar(64) NOT NULL,
        action varchar(32) NOT NULL,
        entity varchar(64) NOT NULL,
        entity_id text,
        before jsonb,
        after jsonb,
        request_id varchar(32)
    )""")
    op.execute("CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id)")

    # Layer views: what the catalogue in layers/ publishes. Areas on the GRS80
    # ellipsoid (geography), label points inside the polygon (PointOnSurface).
    for view, level in [("province_boundary", "province"), ("city_boundary", "city"),
                        ("county_boundary", "county")]:
        op.execute(f"""
        CREATE VIEW {view} AS
        SELECT code, name, name_romanized, parent_code, level,
               round((ST_Area(geom::geography) / 1e6)::numeric, 1) AS area_km2,
               round(ST_X(ST_PointOnSurface(geom))::numeric, 5) AS label_lon,
               round(ST_Y(ST_PointOnSurface(geom))::numeric, 5) AS label_lat,
               geom
        FROM admin_unit
        WHERE level = '{level}' AND valid_to IS NULL AND geom IS NOT NULL""")
    op.execute("""
    CREATE VIEW township_unit AS
    SELECT t.code, t.name, t.name_romanized, t.parent_code, p.name AS county_name,
           t.valid_from
    FROM admin_unit t LEFT JOIN admin_unit p ON p.code = t.parent_code AND p.valid_to IS NULL
    WHERE t.level = 'township' AND t.valid_to IS NULL""")


def downgrade() -> None:
    for view in ("township_unit", "county_boundary", "city_boundary", "province_boundary"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("audit_log", "auth_token", "app_user", "admin_unit_change", "admin_unit"):
        op.execute(f"DROP TABLE IF EXISTS {table}")

"""Funeral facilities, burial zones, the restricted corridors and zones of "三沿七区",
surveyed graves with their computed restrictions and remediation history, and the
places that facility coverage is measured against.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CODE = "varchar(40) NOT NULL CHECK (code ~ '^[0-9A-Za-z_-]{1,40}$')"
VERSIONED = (
    "funeral_facility",
    "burial_zone",
    "corridor_class",
    "restricted_corridor",
    "restricted_zone",
    "grave",
    "grave_restriction",
    "demo_place_location",
)


def upgrade() -> None:
    op.execute(f"""
    CREATE TABLE funeral_facility (
        id bigserial PRIMARY KEY,
        code {CODE} UNIQUE,
        name text NOT NULL CHECK (btrim(name) <> ''),
        facility_type varchar(24) NOT NULL CHECK (facility_type IN ('funeral_home', 'public_cemetery',
            'rural_cemetery', 'commercial_cemetery', 'ash_hall', 'eco_burial')),
        status varchar(12) NOT NULL CHECK (status IN ('planned', 'building', 'operating', 'closed')),
        capacity integer CHECK (capacity >= 0),
        used integer CHECK (used >= 0),
        county_code varchar(12),
        township_code varchar(12),
        geom geometry(Point, 4490) NOT NULL,
        source text NOT NULL DEFAULT 'entered',
        updated_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX funeral_facility_geom_idx ON funeral_facility USING gist (geom)")

    op.execute(f"""
    CREATE TABLE burial_zone (
        id bigserial PRIMARY KEY,
        code {CODE} UNIQUE,
        name text NOT NULL,
        zone_kind varchar(16) NOT NULL CHECK (zone_kind IN ('cremation', 'burial_reform')),
        geom geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
        source text NOT NULL DEFAULT 'entered'
    )""")
    op.execute("CREATE INDEX burial_zone_geom_idx ON burial_zone USING gist (geom)")

    # Widths are settings per class; the documents only fix a floor ("within sight").
    op.execute("""
    CREATE TABLE corridor_class (
        corridor_class varchar(24) PRIMARY KEY,
        label_zh text NOT NULL,
        label_en text NOT NULL,
        width_m double precision NOT NULL CHECK (width_m > 0 AND width_m <= 5000),
        road_or_rail boolean NOT NULL
    )""")
    op.execute("""
    INSERT INTO corridor_class VALUES
        ('expressway', '高速公路', 'Expressway', 200, true),
        ('national_road', '国道', 'National road', 100, true),
        ('provincial_road', '省道', 'Provincial road', 100, true),
        ('railway', '铁路', 'Railway', 200, true),
        ('river', '河道管理范围', 'River management area', 100, false),
        ('reservoir', '水库周边', 'Reservoir surroundings', 200, false)""")
    op.execute(f"""
    CREATE TABLE restricted_corridor (
        id bigserial PRIMARY KEY,
        code {CODE} UNIQUE,
        name text NOT NULL,
        corridor_class varchar(24) NOT NULL REFERENCES corridor_class ON UPDATE CASCADE,
        geom geometry(MultiLineString, 4490) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
        source text NOT NULL DEFAULT 'entered'
    )""")
    op.execute("CREATE INDEX restricted_corridor_geom_idx ON restricted_corridor USING gist (geom)")
    op.execute(f"""
    CREATE TABLE restricted_zone (
        id bigserial PRIMARY KEY,
        code {CODE} UNIQUE,
        name text NOT NULL,
        zone_type varchar(16) NOT NULL CHECK (zone_type IN ('farmland', 'forest', 'grassland', 'urban_park',
            'scenic_area', 'cultural_relic', 'water_source')),
        geom geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
        source text NOT NULL DEFAULT 'entered'
    )""")
    op.execute("CREATE INDEX restricted_zone_geom_idx ON restricted_zone USING gist (geom)")

    op.execute(f"""
    CREATE TABLE grave (
        id bigserial PRIMARY KEY,
        code {CODE} UNIQUE,
        geom geometry(Point, 4490) NOT NULL,
        grave_count integer NOT NULL DEFAULT 1 CHECK (grave_count BETWEEN 1 AND 10000),
        kind varchar(20) NOT NULL CHECK (kind IN ('scattered', 'historical_cluster', 'hardened_large',
            'living_person')),
        county_code varchar(12),
        township_code varchar(12),
        surveyed_on date NOT NULL,
        remediation_status varchar(12) NOT NULL DEFAULT 'not_started'
            CHECK (remediation_status IN ('not_started', 'in_progress', 'remediated')),
        remediation_method varchar(20) CHECK (remediation_method IN ('relocated', 'deep_buried',
            'levelled', 'hardening_removed', 'screened')),
        remediated_on date,
        version integer NOT NULL DEFAULT 1,
        source text NOT NULL DEFAULT 'survey',
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT grave_remediated_has_method_and_date CHECK (
            (remediation_status = 'remediated') = (remediation_method IS NOT NULL AND remediated_on IS NOT NULL)),
        CONSTRAINT grave_remediated_after_survey CHECK (remediated_on IS NULL OR remediated_on >= surveyed_on)
    )""")
    op.execute("CREATE INDEX grave_geom_idx ON grave USING gist (geom)")
    op.execute("CREATE INDEX grave_county_idx ON grave (county_code)")

    # Computed by gis_service.funeral.classification; never edited by hand.
    op.execute("""
    CREATE TABLE grave_restriction (
        grave_id bigint NOT NULL REFERENCES grave ON DELETE CASCADE,
        area_kind varchar(8) NOT NULL CHECK (area_kind IN ('corridor', 'zone')),
        area_id bigint NOT NULL,
        area_class varchar(24) NOT NULL,
        distance_m double precision,
        PRIMARY KEY (grave_id, area_kind, area_id)
    )""")
    op.execute("CREATE INDEX grave_restriction_area_idx ON grave_restriction (area_kind, area_id)")

    op.execute("""
    CREATE TABLE grave_remediation (
        id bigserial PRIMARY KEY,
        grave_id bigint NOT NULL REFERENCES grave ON DELETE CASCADE,
        status varchar(12) NOT NULL,
        method varchar(20),
        done_on date,
        note text,
        recorded_by bigint REFERENCES app_user (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX grave_remediation_grave_idx ON grave_remediation (grave_id, recorded_at)")
    op.execute("""
    CREATE TABLE grave_remediation_photo (
        remediation_id bigint NOT NULL REFERENCES grave_remediation ON DELETE CASCADE,
        photo_sha256 char(64) NOT NULL REFERENCES photo (sha256),
        PRIMARY KEY (remediation_id, photo_sha256)
    )""")

    # Synthetic locations for township seats and villages that the register has not located
    # yet, used only in demo mode so that distance coverage has something to measure.
    op.execute("""
    CREATE TABLE demo_place_location (
        place_name_id bigint PRIMARY KEY REFERENCES place_name (id) ON DELETE CASCADE,
        geom geometry(Point, 4490) NOT NULL,
        source text NOT NULL DEFAULT 'demo' CHECK (source = 'demo')
    )""")
    # Township seats and villages with a location: the register's own first, demo second.
    op.execute("""
    CREATE VIEW coverage_place AS
    SELECT p.id, p.name, p.level, p.unit_code, left(p.unit_code, 6) AS county_code,
           left(p.unit_code, 9) AS township_code,
           CASE WHEN GeometryType(p.geom) = 'POINT' THEN p.geom ELSE ST_PointOnSurface(p.geom) END AS geom,
           'register'::text AS location_source
    FROM place_name p
    WHERE p.level IN ('township', 'village') AND p.geom IS NOT NULL AND p.status <> 'cancelled'
    UNION ALL
    SELECT p.id, p.name, p.level, p.unit_code, left(p.unit_code, 6), left(p.unit_code, 9), d.geom, d.source
    FROM demo_place_location d JOIN place_name p ON p.id = d.place_name_id
    WHERE p.geom IS NULL AND p.status <> 'cancelled'""")

    op.execute("""
    CREATE VIEW grave_map AS
    SELECT g.id, g.code, g.geom, g.grave_count, g.kind, g.county_code, g.township_code, g.surveyed_on,
           g.remediation_status, g.remediation_method, g.remediated_on, g.source,
           COALESCE(r.classes, '') AS restricted_classes, r.classes IS NOT NULL AS restricted
    FROM grave g
    LEFT JOIN (SELECT grave_id, string_agg(DISTINCT area_class, ',' ORDER BY area_class) AS classes
               FROM grave_restriction GROUP BY grave_id) r ON r.grave_id = g.id""")
    op.execute("""
    CREATE VIEW restricted_corridor_area AS
    SELECT c.id, c.code, c.name, c.corridor_class, k.label_zh, k.width_m, c.source,
           ST_SetSRID(ST_Multi(ST_Buffer(c.geom::geography, k.width_m)::geometry), 4490)::geometry(MultiPolygon, 4490) AS geom
    FROM restricted_corridor c JOIN corridor_class k USING (corridor_class)""")
    op.execute("""
    CREATE VIEW funeral_facility_map AS
    SELECT f.*, u.name AS county_name FROM funeral_facility f
    LEFT JOIN admin_unit u ON u.code = f.county_code AND u.valid_to IS NULL""")

    for table in VERSIONED:
        op.execute(f"""CREATE TRIGGER {table}_bump_data_version
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    for view in ("funeral_facility_map", "restricted_corridor_area", "grave_map", "coverage_place"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for table in (
        "demo_place_location",
        "grave_remediation_photo",
        "grave_remediation",
        "grave_restriction",
        "grave",
        "restricted_zone",
        "restricted_corridor",
        "corridor_class",
        "burial_zone",
        "funeral_facility",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")

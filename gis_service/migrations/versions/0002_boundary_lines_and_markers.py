"""Boundary lines (with versions), markers, inspections and repair orders.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CONDITIONS = (
    "intact",
    "slightly_damaged",
    "damaged",
    "tilted",
    "moved",
    "buried",
    "possibly_missing",
    "missing",
    "destroyed",
    "inaccessible",
)


def upgrade() -> None:
    conditions = ", ".join(f"'{c}'" for c in CONDITIONS)
    op.execute("""
    CREATE TABLE boundary_line (
        id bigserial CONSTRAINT boundary_line_pkey PRIMARY KEY,
        code varchar(32) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        level varchar(10) NOT NULL CONSTRAINT boundary_line_level_known
            CHECK (level IN ('province','city','county')),
        name text NOT NULL,
        left_code varchar(12) NOT NULL,
        right_code varchar(12) NOT NULL,
        scope text,
        geom geometry(MultiLineString, 4490) NOT NULL,
        length_m double precision NOT NULL,
        end_points geometry(MultiPoint, 4490),
        tri_junctions geometry(MultiPoint, 4490),
        legal_status varchar(16) NOT NULL DEFAULT 'undetermined' CONSTRAINT boundary_line_legal_status_known
            CHECK (legal_status IN ('agreed','disputed','undetermined')),
        technical_status varchar(20) NOT NULL DEFAULT 'not_edge_matched' CONSTRAINT boundary_line_technical_status_known
            CHECK (technical_status IN ('edge_matched','not_edge_matched')),
        source varchar(16) NOT NULL CONSTRAINT boundary_line_source_known
            CHECK (source IN ('derived','surveyed','agreement')),
        agreement_ref text,
        tolerance_m double precision,
        max_gap_m double precision,
        overlap_m2 double precision,
        valid_from timestamptz NOT NULL DEFAULT now(),
        valid_to timestamptz,
        changed_by varchar(64),
        change_note text,
        CONSTRAINT boundary_line_sides_ordered CHECK (left_code < right_code)
    )""")
    op.execute(
        "CREATE UNIQUE INDEX boundary_line_code_current_uq ON boundary_line (code) WHERE valid_to IS NULL"
    )
    op.execute("CREATE UNIQUE INDEX boundary_line_code_version_uq ON boundary_line (code, version)")
    op.execute("CREATE INDEX boundary_line_geom_idx ON boundary_line USING gist (geom)")

    op.execute(
        """
    CREATE TABLE boundary_marker (
        id bigserial CONSTRAINT boundary_marker_pkey PRIMARY KEY,
        code varchar(40) NOT NULL CONSTRAINT boundary_marker_code_uq UNIQUE,
        line_code varchar(32) NOT NULL,
        seq integer NOT NULL CONSTRAINT boundary_marker_seq_positive CHECK (seq > 0),
        type_suffix char(1) NOT NULL CONSTRAINT boundary_marker_suffix_known
            CHECK (type_suffix IN ('Q','A','B','C','D','E')),
        marker_type varchar(8) NOT NULL CONSTRAINT boundary_marker_type_known
            CHECK (marker_type IN ('single','double','triple')),
        material varchar(20),
        geom geometry(Point, 4490) NOT NULL,
        gk_zone smallint NOT NULL,
        gk_x double precision NOT NULL,
        gk_y double precision NOT NULL,
        elevation_m double precision,
        buried_on date,
        reference_objects jsonb NOT NULL DEFAULT '[]',
        custodian_code varchar(12),
        is_smart boolean NOT NULL DEFAULT false,
        source varchar(16) NOT NULL,
        condition varchar(20) CONSTRAINT boundary_marker_condition_known CHECK (condition IN ("""
        + conditions
        + """)),
        condition_observed_at timestamptz,
        last_inspection_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT boundary_marker_suffix_matches_type CHECK (
            (marker_type = 'single' AND type_suffix = 'Q') OR
            (marker_type = 'double' AND type_suffix IN ('A','B')) OR
            (marker_type = 'triple' AND type_suffix IN ('C','D','E'))),
        CONSTRAINT boundary_marker_line_seq_suffix_uq UNIQUE (line_code, seq, type_suffix)
    )"""
    )
    op.execute("CREATE INDEX boundary_marker_geom_idx ON boundary_marker USING gist (geom)")
    op.execute("CREATE INDEX boundary_marker_line_idx ON boundary_marker (line_code, seq)")
    op.execute("CREATE INDEX boundary_marker_condition_idx ON boundary_marker (condition)")

    op.execute(
        """
    CREATE TABLE marker_inspection (
        id uuid CONSTRAINT marker_inspection_pkey PRIMARY KEY,
        marker_id bigint NOT NULL CONSTRAINT marker_inspection_marker_fkey REFERENCES boundary_marker (id),
        observed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        condition varchar(20) NOT NULL CONSTRAINT marker_inspection_condition_known CHECK (condition IN ("""
        + conditions
        + """)),
        inscription_legible boolean,
        vegetation_cleared boolean,
        reference_objects_present boolean,
        gnss_lon double precision,
        gnss_lat double precision,
        gnss_accuracy_m double precision CONSTRAINT marker_inspection_accuracy_positive CHECK (gnss_accuracy_m IS NULL OR gnss_accuracy_m >= 0),
        gnss_fix_type varchar(16),
        gnss_fixed_at timestamptz,
        distance_to_marker_m double precision,
        displacement_m double precision,
        notes text,
        neighbour_representative text,
        inspector_id bigint NOT NULL CONSTRAINT marker_inspection_inspector_fkey REFERENCES app_user (id),
        payload_hash varchar(64) NOT NULL
    )"""
    )
    op.execute(
        "CREATE INDEX marker_inspection_marker_observed_idx ON marker_inspection (marker_id, observed_at DESC)"
    )

    op.execute("""
    CREATE TABLE repair_order (
        id bigserial CONSTRAINT repair_order_pkey PRIMARY KEY,
        marker_id bigint NOT NULL CONSTRAINT repair_order_marker_fkey REFERENCES boundary_marker (id),
        opened_by_inspection uuid CONSTRAINT repair_order_inspection_fkey REFERENCES marker_inspection (id),
        reason varchar(20) NOT NULL,
        status varchar(8) NOT NULL DEFAULT 'open' CONSTRAINT repair_order_status_known CHECK (status IN ('open','closed')),
        resolution varchar(10) CONSTRAINT repair_order_resolution_known CHECK (resolution IN ('repaired','replaced','reset')),
        opened_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        closed_by bigint CONSTRAINT repair_order_closed_by_fkey REFERENCES app_user (id),
        notes text,
        CONSTRAINT repair_order_closed_consistent CHECK ((status = 'open') = (resolution IS NULL AND closed_at IS NULL))
    )""")
    # At most one open repair per marker, enforced by the database.
    op.execute(
        "CREATE UNIQUE INDEX repair_order_one_open_uq ON repair_order (marker_id) WHERE status = 'open'"
    )

    op.execute("""
    CREATE VIEW boundary_line_current AS
    SELECT code, level, name, left_code, right_code, scope, source, legal_status,
           technical_status, round(length_m::numeric / 1000, 2) AS length_km, version,
           max_gap_m, geom
    FROM boundary_line WHERE valid_to IS NULL""")
    op.execute("""
    CREATE VIEW boundary_marker_status AS
    SELECT m.code, m.line_code, m.seq, m.type_suffix, m.marker_type, m.material, m.source,
           m.is_smart, COALESCE(m.condition, 'unknown') AS condition, m.condition_observed_at,
           EXISTS (SELECT 1 FROM repair_order r WHERE r.marker_id = m.id AND r.status = 'open') AS repair_open,
           m.geom
    FROM boundary_marker m""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS boundary_marker_status")
    op.execute("DROP VIEW IF EXISTS boundary_line_current")
    for table in ("repair_order", "marker_inspection", "boundary_marker", "boundary_line"):
        op.execute(f"DROP TABLE IF EXISTS {table}")

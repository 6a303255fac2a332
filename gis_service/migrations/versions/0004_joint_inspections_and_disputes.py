"""Joint inspection rounds with findings per marker; the boundary dispute register.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE inspection_round (
        id bigserial CONSTRAINT inspection_round_pkey PRIMARY KEY,
        line_code varchar(32) NOT NULL,
        kind varchar(10) NOT NULL CONSTRAINT inspection_round_kind_known CHECK (kind IN ('scheduled','extra')),
        reason text,
        planned_on date NOT NULL,
        completed_on date,
        sides varchar(12)[] NOT NULL DEFAULT '{}',
        lead text,
        report_notes text,
        status varchar(12) NOT NULL DEFAULT 'planned' CONSTRAINT inspection_round_status_known
            CHECK (status IN ('planned','completed','cancelled')),
        created_by bigint CONSTRAINT inspection_round_created_by_fkey REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inspection_round_extra_has_reason CHECK (kind = 'scheduled' OR reason IS NOT NULL),
        CONSTRAINT inspection_round_completed_consistent CHECK ((status = 'completed') = (completed_on IS NOT NULL))
    )""")
    op.execute("CREATE INDEX inspection_round_line_idx ON inspection_round (line_code, completed_on)")
    op.execute("""
    CREATE TABLE inspection_finding (
        id bigserial CONSTRAINT inspection_finding_pkey PRIMARY KEY,
        round_id bigint NOT NULL CONSTRAINT inspection_finding_round_fkey REFERENCES inspection_round (id),
        marker_code varchar(40),
        condition varchar(20),
        finding text NOT NULL,
        action_required boolean NOT NULL DEFAULT false,
        recorded_by bigint CONSTRAINT inspection_finding_recorded_by_fkey REFERENCES app_user (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX inspection_finding_round_idx ON inspection_finding (round_id)")
    op.execute("""
    CREATE TABLE boundary_dispute (
        id bigserial CONSTRAINT boundary_dispute_pkey PRIMARY KEY,
        title text NOT NULL,
        line_code varchar(32),
        parties varchar(12)[] NOT NULL CONSTRAINT boundary_dispute_two_parties CHECK (cardinality(parties) >= 2),
        status varchar(14) NOT NULL DEFAULT 'reported' CONSTRAINT boundary_dispute_status_known
            CHECK (status IN ('reported','investigating','negotiating','resolved','closed')),
        description text,
        geom geometry(Geometry, 4490) NOT NULL,
        area_m2 double precision,
        opened_on date NOT NULL,
        created_by bigint CONSTRAINT boundary_dispute_created_by_fkey REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX boundary_dispute_geom_idx ON boundary_dispute USING gist (geom)")
    op.execute("""
    CREATE TABLE dispute_event (
        id bigserial CONSTRAINT dispute_event_pkey PRIMARY KEY,
        dispute_id bigint NOT NULL CONSTRAINT dispute_event_dispute_fkey REFERENCES boundary_dispute (id),
        happened_on date NOT NULL,
        kind varchar(16) NOT NULL CONSTRAINT dispute_event_kind_known
            CHECK (kind IN ('reported','site_visit','meeting','agreement','ruling','status_change','note')),
        description text NOT NULL,
        new_status varchar(14),
        recorded_by bigint CONSTRAINT dispute_event_recorded_by_fkey REFERENCES app_user (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("""
    CREATE VIEW boundary_dispute_map AS
    SELECT id, title, line_code, array_to_string(parties, ',') AS parties, status, opened_on,
           round((area_m2 / 1e6)::numeric, 3) AS area_km2, geom
    FROM boundary_dispute""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS boundary_dispute_map")
    for table in ("dispute_event", "boundary_dispute", "inspection_finding", "inspection_round"):
        op.execute(f"DROP TABLE IF EXISTS {table}")

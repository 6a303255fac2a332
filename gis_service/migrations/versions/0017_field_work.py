"""Field work: repair orders can be assigned to an inspector and closed idempotently
(the client names the closing visit), and joint-inspection rounds keep the tracks their
inspectors walked.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

REPAIRS = {"repair_order": "marker_inspection", "sign_repair_order": "sign_inspection"}


def upgrade() -> None:
    for table, visits in REPAIRS.items():
        op.execute(f"""
        ALTER TABLE {table}
            ADD COLUMN assigned_to bigint CONSTRAINT {table}_assigned_to_fkey REFERENCES app_user (id),
            ADD COLUMN assigned_at timestamptz,
            ADD COLUMN assigned_by bigint CONSTRAINT {table}_assigned_by_fkey REFERENCES app_user (id),
            ADD COLUMN closing_inspection uuid CONSTRAINT {table}_closing_inspection_fkey REFERENCES {visits} (id)
                DEFERRABLE INITIALLY DEFERRED""")
        op.execute(f"CREATE INDEX {table}_assigned_idx ON {table} (assigned_to) WHERE status = 'open'")
    op.execute("""
    CREATE TABLE inspection_track (
        id uuid CONSTRAINT inspection_track_pkey PRIMARY KEY,
        round_id bigint NOT NULL CONSTRAINT inspection_track_round_fkey REFERENCES inspection_round (id),
        inspector_id bigint NOT NULL CONSTRAINT inspection_track_inspector_fkey REFERENCES app_user (id),
        started_at timestamptz NOT NULL,
        ended_at timestamptz NOT NULL,
        point_count integer NOT NULL CONSTRAINT inspection_track_points_min CHECK (point_count >= 2),
        length_m double precision NOT NULL,
        -- M holds each position's time (seconds since 1970), so the walk can be replayed.
        geom geometry(LineStringM, 4490) NOT NULL
            CONSTRAINT inspection_track_geom_valid CHECK (ST_IsValid(geom)),
        payload_hash text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inspection_track_time_order CHECK (ended_at >= started_at)
    )""")
    op.execute("CREATE INDEX inspection_track_round_idx ON inspection_track (round_id, started_at)")
    op.execute("CREATE INDEX inspection_track_geom_idx ON inspection_track USING gist (geom)")
    op.execute("""
    CREATE VIEW inspection_track_map AS
    SELECT t.id::text AS id, t.round_id, r.line_code, u.username AS inspector, t.started_at, t.ended_at,
           t.point_count, round(t.length_m::numeric, 1) AS length_m, ST_Force2D(t.geom) AS geom
    FROM inspection_track t JOIN inspection_round r ON r.id = t.round_id
    JOIN app_user u ON u.id = t.inspector_id""")
    op.execute("""CREATE TRIGGER inspection_track_bump_data_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON inspection_track
        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    op.execute("DROP VIEW inspection_track_map")
    op.execute("DROP TABLE inspection_track")
    for table in REPAIRS:
        op.execute(f"""ALTER TABLE {table} DROP COLUMN assigned_to, DROP COLUMN assigned_at,
                       DROP COLUMN assigned_by, DROP COLUMN closing_inspection""")

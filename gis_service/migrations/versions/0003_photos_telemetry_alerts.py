"""Photos (content-addressed), smart-marker telemetry and alerts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE photo (
        sha256 char(64) CONSTRAINT photo_pkey PRIMARY KEY,
        content_type varchar(32) NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        bytes integer NOT NULL,
        uploaded_by bigint CONSTRAINT photo_uploaded_by_fkey REFERENCES app_user (id),
        uploaded_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("""
    CREATE TABLE inspection_photo (
        inspection_id uuid NOT NULL CONSTRAINT inspection_photo_inspection_fkey REFERENCES marker_inspection (id),
        photo_sha256 char(64) NOT NULL CONSTRAINT inspection_photo_photo_fkey REFERENCES photo (sha256),
        camera_bearing_deg double precision CONSTRAINT inspection_photo_bearing_range
            CHECK (camera_bearing_deg IS NULL OR (camera_bearing_deg >= 0 AND camera_bearing_deg < 360)),
        caption text,
        added_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inspection_photo_pkey PRIMARY KEY (inspection_id, photo_sha256)
    )""")
    op.execute("""
    CREATE TABLE marker_telemetry (
        id bigserial CONSTRAINT marker_telemetry_pkey PRIMARY KEY,
        marker_id bigint NOT NULL CONSTRAINT marker_telemetry_marker_fkey REFERENCES boundary_marker (id),
        observed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        tilt_deg double precision,
        drift_m double precision,
        battery_pct double precision,
        online boolean,
        tamper boolean,
        lon double precision,
        lat double precision,
        CONSTRAINT marker_telemetry_marker_observed_uq UNIQUE (marker_id, observed_at)
    )""")
    op.execute("""
    CREATE TABLE marker_alert (
        id bigserial CONSTRAINT marker_alert_pkey PRIMARY KEY,
        marker_id bigint NOT NULL CONSTRAINT marker_alert_marker_fkey REFERENCES boundary_marker (id),
        telemetry_id bigint NOT NULL CONSTRAINT marker_alert_telemetry_fkey REFERENCES marker_telemetry (id),
        kind varchar(10) NOT NULL CONSTRAINT marker_alert_kind_known CHECK (kind IN ('tilt','drift','tamper','battery')),
        value double precision,
        threshold double precision,
        raised_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by bigint CONSTRAINT marker_alert_ack_by_fkey REFERENCES app_user (id)
    )""")
    op.execute(
        "CREATE UNIQUE INDEX marker_alert_one_open_uq ON marker_alert (marker_id, kind) WHERE acknowledged_at IS NULL"
    )
    op.execute("DROP VIEW boundary_marker_status")
    op.execute("""
    CREATE VIEW boundary_marker_status AS
    SELECT m.code, m.line_code, m.seq, m.type_suffix, m.marker_type, m.material, m.source,
           m.is_smart, COALESCE(m.condition, 'unknown') AS condition, m.condition_observed_at,
           EXISTS (SELECT 1 FROM repair_order r WHERE r.marker_id = m.id AND r.status = 'open') AS repair_open,
           EXISTS (SELECT 1 FROM marker_alert a WHERE a.marker_id = m.id AND a.acknowledged_at IS NULL) AS alert_open,
           m.geom
    FROM boundary_marker m""")


def downgrade() -> None:
    op.execute("DROP VIEW boundary_marker_status")
    op.execute("""
    CREATE VIEW boundary_marker_status AS
    SELECT m.code, m.line_code, m.seq, m.type_suffix, m.marker_type, m.material, m.source,
           m.is_smart, COALESCE(m.condition, 'unknown') AS condition, m.condition_observed_at,
           EXISTS (SELECT 1 FROM repair_order r WHERE r.marker_id = m.id AND r.status = 'open') AS repair_open,
           m.geom
    FROM boundary_marker m""")
    for table in ("marker_alert", "marker_telemetry", "inspection_photo", "photo"):
        op.execute(f"DROP TABLE IF EXISTS {table}")

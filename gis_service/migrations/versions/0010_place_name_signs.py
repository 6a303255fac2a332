"""Place-name signs (地名标志) and their visits, repairs and visit photos. The visit,
repair and photo tables copy the marker ones (LIKE … INCLUDING CONSTRAINTS), so both
assets keep one record shape and one implementation (gis_service.inspections).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE place_name_sign (
        id bigserial CONSTRAINT place_name_sign_pkey PRIMARY KEY,
        code varchar(40) NOT NULL CONSTRAINT place_name_sign_code_uq UNIQUE
            CONSTRAINT place_name_sign_code_format CHECK (code ~ '^[0-9A-Za-z-]{3,40}$'),
        place_name_id bigint NOT NULL CONSTRAINT place_name_sign_name_fkey REFERENCES place_name (id),
        kind varchar(12) NOT NULL DEFAULT 'settlement' CONSTRAINT place_name_sign_kind_known
            CHECK (kind IN ('settlement', 'road', 'natural', 'building', 'other')),
        text_zh text NOT NULL,
        text_mn text,
        romanization text,
        material text,
        installed_on date,
        geom geometry(Point, 4490) NOT NULL,
        condition varchar(20),
        condition_observed_at timestamptz,
        last_inspection_id uuid,
        source text NOT NULL DEFAULT 'entered',
        created_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX place_name_sign_geom_idx ON place_name_sign USING gist (geom)")
    op.execute("CREATE INDEX place_name_sign_name_idx ON place_name_sign (place_name_id)")

    op.execute(
        "CREATE TABLE sign_inspection (LIKE marker_inspection INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    op.execute("ALTER TABLE sign_inspection RENAME COLUMN marker_id TO sign_id")
    op.execute("""ALTER TABLE sign_inspection
        ADD CONSTRAINT sign_inspection_pkey PRIMARY KEY (id),
        ADD CONSTRAINT sign_inspection_sign_fkey FOREIGN KEY (sign_id) REFERENCES place_name_sign (id),
        ADD CONSTRAINT sign_inspection_inspector_fkey FOREIGN KEY (inspector_id) REFERENCES app_user (id)""")
    op.execute(
        "CREATE INDEX sign_inspection_sign_observed_idx ON sign_inspection (sign_id, observed_at DESC)"
    )

    op.execute("CREATE TABLE sign_repair_order (LIKE repair_order INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute("ALTER TABLE sign_repair_order RENAME COLUMN marker_id TO sign_id")
    op.execute("CREATE SEQUENCE sign_repair_order_id_seq OWNED BY sign_repair_order.id")
    op.execute("""ALTER TABLE sign_repair_order
        ALTER COLUMN id SET DEFAULT nextval('sign_repair_order_id_seq'),
        ADD CONSTRAINT sign_repair_order_pkey PRIMARY KEY (id),
        ADD CONSTRAINT sign_repair_order_sign_fkey FOREIGN KEY (sign_id) REFERENCES place_name_sign (id),
        ADD CONSTRAINT sign_repair_order_inspection_fkey FOREIGN KEY (opened_by_inspection)
            REFERENCES sign_inspection (id),
        ADD CONSTRAINT sign_repair_order_closed_by_fkey FOREIGN KEY (closed_by) REFERENCES app_user (id)""")
    op.execute(
        "CREATE UNIQUE INDEX sign_repair_order_one_open_uq ON sign_repair_order (sign_id) WHERE status = 'open'"
    )

    op.execute(
        "CREATE TABLE sign_inspection_photo (LIKE inspection_photo INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    op.execute("""ALTER TABLE sign_inspection_photo
        ADD CONSTRAINT sign_inspection_photo_pkey PRIMARY KEY (inspection_id, photo_sha256),
        ADD CONSTRAINT sign_inspection_photo_inspection_fkey FOREIGN KEY (inspection_id)
            REFERENCES sign_inspection (id),
        ADD CONSTRAINT sign_inspection_photo_photo_fkey FOREIGN KEY (photo_sha256) REFERENCES photo (sha256)""")

    op.execute("""
    CREATE VIEW place_name_sign_map AS
    SELECT s.code, s.kind, s.text_zh, s.text_mn, s.romanization, coalesce(s.condition, 'unknown') AS condition,
           s.condition_observed_at, p.name AS place_name, p.id AS place_name_id,
           EXISTS (SELECT 1 FROM sign_repair_order r WHERE r.sign_id = s.id AND r.status = 'open') AS repair_open,
           s.source, s.geom
    FROM place_name_sign s JOIN place_name p ON p.id = s.place_name_id""")
    for table in ("place_name_sign", "sign_repair_order"):
        op.execute(f"""CREATE TRIGGER {table}_bump_data_version
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS place_name_sign_map")
    for table in ("sign_inspection_photo", "sign_repair_order", "sign_inspection", "place_name_sign"):
        op.execute(f"DROP TABLE IF EXISTS {table}")

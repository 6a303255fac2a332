"""One id space for every visit, whatever was visited.

Marker and sign visits keep their client-generated UUIDs in two tables, each unique on
its own: a marker visit's id could be sent again as a sign visit (by anyone) and be taken.
Every visit now claims its id in `visit_id` first, under one primary key; an id held by
another kind of visit is a unique violation on `visit_id_pkey` (the service answers 409).
A resend of the same visit claims the id it already holds and goes on to the visit
table's own ON CONFLICT.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05
"""

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

VISIT_TABLES = {"marker_inspection": "marker", "sign_inspection": "sign"}


def upgrade() -> None:
    op.execute("""
    CREATE TABLE visit_id (
        id uuid CONSTRAINT visit_id_pkey PRIMARY KEY,
        kind text NOT NULL CONSTRAINT visit_id_kind_known CHECK (kind IN ('marker', 'sign'))
    )""")
    for table, kind in VISIT_TABLES.items():
        op.execute(f"INSERT INTO visit_id (id, kind) SELECT id, '{kind}' FROM {table} ON CONFLICT DO NOTHING")
    op.execute("""
    CREATE FUNCTION claim_visit_id() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO visit_id (id, kind) VALUES (NEW.id, TG_ARGV[0]) ON CONFLICT (id) DO NOTHING;
        IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM visit_id WHERE id = NEW.id AND kind = TG_ARGV[0]) THEN
            RAISE EXCEPTION 'visit id % is held by another kind of visit', NEW.id
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'visit_id_pkey';
        END IF;
        RETURN NEW;
    END $$""")
    for table, kind in VISIT_TABLES.items():
        op.execute(
            f"CREATE TRIGGER {table}_claims_visit_id BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION claim_visit_id('{kind}')"
        )


def downgrade() -> None:
    for table in VISIT_TABLES:
        op.execute(f"DROP TRIGGER {table}_claims_visit_id ON {table}")
    op.execute("DROP FUNCTION claim_visit_id()")
    op.execute("DROP TABLE visit_id")

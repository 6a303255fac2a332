"""The register's yearly update: each edition of the division codes read, and each of its
differences from the register with its review (accepted or rejected, with the reason).

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06
"""

from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE register_edition (
        id bigserial CONSTRAINT register_edition_pkey PRIMARY KEY,
        label text NOT NULL,
        source_kind varchar(20) NOT NULL,
        as_of date,
        checksum varchar(64) NOT NULL,
        home_code varchar(6) NOT NULL,
        units integer NOT NULL,
        loaded_by text NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT register_edition_once UNIQUE (home_code, checksum)
    )""")
    op.execute("""
    CREATE TABLE register_change (
        id bigserial CONSTRAINT register_change_pkey PRIMARY KEY,
        edition_id bigint NOT NULL CONSTRAINT register_change_edition_fkey REFERENCES register_edition (id),
        kind varchar(16) NOT NULL CONSTRAINT register_change_kind_known
            CHECK (kind IN ('new', 'gone', 'renamed', 'transliteration', 'recoded', 'moved')),
        level varchar(10) NOT NULL,
        old_code varchar(12),
        new_code varchar(12),
        old_name text,
        new_name text,
        old_standard text,
        new_standard text,
        standard_changes boolean NOT NULL DEFAULT false,
        old_parent varchar(12),
        new_parent varchar(12),
        successor_code varchar(12),
        successor_name text,
        county_code varchar(6) NOT NULL,
        township_code varchar(9) NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'open' CONSTRAINT register_change_status_known
            CHECK (status IN ('open', 'accepted', 'rejected')),
        reason text,
        decided_by text,
        decided_at timestamptz,
        place_name_id bigint CONSTRAINT register_change_place_fkey REFERENCES place_name (id),
        -- a standard name that waits for the approving bureau: the renaming request made for it
        naming_request_id bigint CONSTRAINT register_change_request_fkey REFERENCES naming_request (id),
        CONSTRAINT register_change_decided_with_reason CHECK (status = 'open' OR reason IS NOT NULL)
    )""")
    op.execute(
        "CREATE INDEX register_change_review_idx ON register_change (edition_id, county_code, township_code)"
    )
    # a unit's versions by code (a review list names its townships; a country has 700,000 units)
    op.execute("CREATE INDEX admin_unit_code_idx ON admin_unit (code)")


def downgrade() -> None:
    op.execute("DROP INDEX admin_unit_code_idx")
    op.execute("DROP TABLE register_change")
    op.execute("DROP TABLE register_edition")

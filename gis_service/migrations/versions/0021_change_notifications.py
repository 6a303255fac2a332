"""Tell every service process about changes, after they commit.

`data_changed` carries the name of a table whose data changed (its tile cache keys move
on); `auth_changed` carries the id of a user whose sign-ins were revoked, whose password,
role or state changed, or who was removed. NOTIFY is transactional: a rolled-back write
sends nothing, and a committed one is delivered after its commit.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO data_change (table_name) VALUES (TG_TABLE_NAME);
        PERFORM pg_notify('data_changed', TG_TABLE_NAME);
        RETURN NULL;
    END $$""")
    op.execute("""
    CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- the trigger's argument names the column that holds the user's id
        PERFORM pg_notify('auth_changed', to_jsonb(OLD) ->> TG_ARGV[0]);
        RETURN NULL;
    END $$""")
    op.execute("""CREATE TRIGGER auth_token_notify AFTER UPDATE OR DELETE ON auth_token
        FOR EACH ROW EXECUTE FUNCTION notify_auth_changed('user_id')""")
    op.execute("""CREATE TRIGGER app_user_notify AFTER UPDATE OR DELETE ON app_user
        FOR EACH ROW EXECUTE FUNCTION notify_auth_changed('id')""")


def downgrade() -> None:
    op.execute("DROP TRIGGER app_user_notify ON app_user")
    op.execute("DROP TRIGGER auth_token_notify ON auth_token")
    op.execute("DROP FUNCTION notify_auth_changed()")
    op.execute("""
    CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO data_change (table_name) VALUES (TG_TABLE_NAME);
        RETURN NULL;
    END $$""")

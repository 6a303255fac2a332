"""An append-only, hash-chained audit log.

Audit rows can no longer be changed or deleted (a trigger refuses UPDATE, DELETE and
TRUNCATE, and the privileges are revoked). `seal_audit_log()` chains the rows in the
order it seals them: each seal stores sha256(previous hash | the row's content), so
changing, removing or reordering a sealed row breaks the chain, which
`verify_audit_chain()` (and `gis-service audit verify`) finds. Sealing runs after the
writes commit, so concurrent writers never wait for each other to extend the chain.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SEAL_LOCK = 4490_0003  # any constant; one sealer at a time
# The row's content as hashed: fixed field order, time in UTC, jsonb in its normal form.
ROW_TEXT = """concat_ws('|', a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), a.actor_id,
    a.actor, a.action, a.entity, a.entity_id, a.before::text, a.after::text, a.request_id)"""


def upgrade() -> None:
    op.execute("""
    CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: rows cannot be changed or removed', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$""")
    op.execute("""
    CREATE TABLE audit_seal (
        seq bigint CONSTRAINT audit_seal_pkey PRIMARY KEY,
        audit_id bigint NOT NULL CONSTRAINT audit_seal_audit_uq UNIQUE
            CONSTRAINT audit_seal_audit_fkey REFERENCES audit_log (id),
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        sealed_at timestamptz NOT NULL DEFAULT now()
    )""")
    for table in ("audit_log", "audit_seal"):
        op.execute(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION refuse_change()""")
        op.execute(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()""")
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC, CURRENT_USER")
    create_sql_sealer()


def create_sql_sealer() -> None:
    """The unkeyed sealer and verifier (replaced by the keyed chain in 0020)."""
    op.execute(f"""
    CREATE FUNCTION seal_audit_log() RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
        last_seq bigint;
        last_hash char(64);
        r record;
        n bigint := 0;
    BEGIN
        IF NOT pg_try_advisory_xact_lock({SEAL_LOCK}) THEN
            RETURN 0;
        END IF;
        SELECT seq, hash INTO last_seq, last_hash FROM audit_seal ORDER BY seq DESC LIMIT 1;
        last_seq := coalesce(last_seq, 0);
        last_hash := coalesce(last_hash, repeat('0', 64));
        FOR r IN SELECT a.id, {ROW_TEXT} AS content FROM audit_log a
                 WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id) ORDER BY a.id
        LOOP
            last_seq := last_seq + 1;
            INSERT INTO audit_seal (seq, audit_id, prev_hash, hash)
            VALUES (last_seq, r.id, last_hash,
                    encode(sha256(convert_to(last_hash || '|' || r.content, 'UTF8')), 'hex'))
            RETURNING hash INTO last_hash;
            n := n + 1;
        END LOOP;
        RETURN n;
    END $$""")
    op.execute(f"""
    CREATE FUNCTION verify_audit_chain()
    RETURNS TABLE (sealed bigint, unsealed bigint, broken_seq bigint, broken_audit_id bigint, problem text)
    LANGUAGE plpgsql STABLE AS $$
    DECLARE
        expected_seq bigint := 0;
        prev char(64) := repeat('0', 64);
        r record;
    BEGIN
        sealed := 0;
        unsealed := (SELECT count(*) FROM audit_log a
                     WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id));
        FOR r IN SELECT s.seq, s.audit_id, s.prev_hash, s.hash, {ROW_TEXT} AS content,
                        a.id IS NULL AS missing
                 FROM audit_seal s LEFT JOIN audit_log a ON a.id = s.audit_id ORDER BY s.seq
        LOOP
            expected_seq := expected_seq + 1;
            IF r.seq <> expected_seq THEN
                problem := format('seal %s is missing', expected_seq);
            ELSIF r.missing THEN
                problem := format('audit row %s was removed', r.audit_id);
            ELSIF r.prev_hash <> prev THEN
                problem := 'the chain was cut or reordered here';
            ELSIF r.hash <> encode(sha256(convert_to(prev || '|' || r.content, 'UTF8')), 'hex') THEN
                problem := format('audit row %s was changed after it was sealed', r.audit_id);
            END IF;
            IF problem IS NOT NULL THEN
                broken_seq := r.seq;
                broken_audit_id := r.audit_id;
                RETURN NEXT;
                RETURN;
            END IF;
            prev := r.hash;
            sealed := sealed + 1;
        END LOOP;
        RETURN NEXT;
    END $$""")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS verify_audit_chain()")
    op.execute("DROP FUNCTION IF EXISTS seal_audit_log()")
    op.execute("DROP TABLE IF EXISTS audit_seal")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS refuse_change()")
    op.execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER")

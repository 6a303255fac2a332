"""Sign-in throttling that is fair behind shared addresses.

- Each failed attempt is its own row (`id`): a success takes back only its own attempt,
  never another client's failures (a victim's QGIS re-validating its credentials used to
  wipe the attacker's rows).
- Known devices: a device that signed in to an account gets a cookie whose SHA-256 is
  kept here; it is exempt from the per-address limit for that account (OWASP's device
  cookies), so one noisy address (carrier-grade NAT, an office) does not lock out the
  bureau's own phones.
- Slots: unknown devices from a noisy address are slowed to one attempt per slot, not
  refused outright.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05
"""

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE sign_in_failure ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY")
    op.execute("ALTER TABLE sign_in_failure ADD CONSTRAINT sign_in_failure_pkey PRIMARY KEY (id)")
    op.execute("""
    CREATE TABLE known_device (
        digest text NOT NULL,
        username text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT known_device_pkey PRIMARY KEY (digest, username)
    )""")
    op.execute("CREATE INDEX known_device_username_idx ON known_device (username)")
    op.execute("""
    CREATE TABLE sign_in_slot (
        client inet CONSTRAINT sign_in_slot_pkey PRIMARY KEY,
        next_at timestamptz NOT NULL
    )""")


def downgrade() -> None:
    op.execute("DROP TABLE sign_in_slot")
    op.execute("DROP TABLE known_device")
    op.execute("ALTER TABLE sign_in_failure DROP CONSTRAINT sign_in_failure_pkey")
    op.execute("ALTER TABLE sign_in_failure DROP COLUMN id")

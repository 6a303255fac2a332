"""The place-name register: names with versions, categories, the romanisation lexicon,
naming requests, standardisation findings and location suggestions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STATUSES = "'standard','variant','historical','pending','cancelled','non_standard'"


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Search keys for Chinese text: every single character and every pair of adjacent
    # characters. A query of n >= 2 characters must contain all its pairs, which a GIN
    # index on the array finds without a table scan whatever the database's locale.
    op.execute("""
    CREATE FUNCTION place_name_grams(name text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
            SELECT substr(name, i, 1) AS g FROM generate_series(1, char_length(name)) i
            UNION ALL
            SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) i
        ) grams
    $$""")
    op.execute("""
    CREATE TABLE place_name_category (
        code varchar(8) CONSTRAINT place_name_category_pkey PRIMARY KEY,
        name_zh text NOT NULL,
        name_en text NOT NULL,
        parent_code varchar(8),
        generics text[] NOT NULL DEFAULT '{}',
        level varchar(10),
        note text
    )""")
    op.execute(f"""
    CREATE TABLE place_name (
        id bigserial CONSTRAINT place_name_pkey PRIMARY KEY,
        name text NOT NULL CONSTRAINT place_name_name_not_blank CHECK (btrim(name) <> ''),
        specific_part text NOT NULL,
        generic_part text NOT NULL DEFAULT '',
        romanization text,
        mongolian_script text,
        origin_language varchar(12) NOT NULL DEFAULT 'unknown'
            CONSTRAINT place_name_origin_language_known CHECK (origin_language IN ('zh','mn','other','unknown')),
        category_code varchar(8) CONSTRAINT place_name_category_fkey REFERENCES place_name_category (code),
        level varchar(10) CONSTRAINT place_name_level_known
            CHECK (level IN ('province','city','county','township','village','other')),
        admin_code varchar(12),
        unit_code varchar(12),
        geom geometry(Geometry, 4490) CONSTRAINT place_name_geom_valid CHECK (geom IS NULL OR ST_IsValid(geom)),
        location_description text,
        meaning text,
        origin text,
        history text,
        former_names text[] NOT NULL DEFAULT '{{}}',
        status varchar(12) NOT NULL DEFAULT 'pending'
            CONSTRAINT place_name_status_known CHECK (status IN ({STATUSES})),
        approval_body text,
        approval_document text,
        approval_date date,
        source text NOT NULL,
        pinyin text NOT NULL DEFAULT '',
        initials text NOT NULL DEFAULT '',
        grams text[] GENERATED ALWAYS AS (place_name_grams(name)) STORED,
        roman_key text GENERATED ALWAYS AS (regexp_replace(lower(coalesce(romanization, '')), '[^a-z]', '', 'g'))
            STORED,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'import'
    )""")
    op.execute("CREATE UNIQUE INDEX place_name_unit_code_uq ON place_name (unit_code)")
    op.execute("CREATE INDEX place_name_name_idx ON place_name (name text_pattern_ops)")
    op.execute("CREATE INDEX place_name_initials_idx ON place_name (initials text_pattern_ops)")
    op.execute("CREATE INDEX place_name_pinyin_idx ON place_name (pinyin text_pattern_ops)")
    op.execute("CREATE INDEX place_name_grams_idx ON place_name USING gin (grams)")
    op.execute("CREATE INDEX place_name_roman_key_idx ON place_name (roman_key text_pattern_ops)")
    # Typo-tolerant search reads candidates whose pinyin starts with the query's first half
    # or ends with its second half: one of the two holds for a single typo.
    op.execute("CREATE INDEX place_name_pinyin_reversed_idx ON place_name (reverse(pinyin) text_pattern_ops)")
    op.execute("CREATE INDEX place_name_admin_idx ON place_name (admin_code, level)")
    op.execute("CREATE INDEX place_name_geom_idx ON place_name USING gist (geom)")
    op.execute("""
    CREATE TABLE place_name_version (
        place_name_id bigint NOT NULL CONSTRAINT place_name_version_name_fkey REFERENCES place_name (id),
        version integer NOT NULL,
        valid_from timestamptz NOT NULL DEFAULT now(),
        valid_to timestamptz,
        changed_by text NOT NULL,
        reason text NOT NULL,
        record jsonb NOT NULL,
        diff jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT place_name_version_pkey PRIMARY KEY (place_name_id, version)
    )""")
    op.execute("""
    CREATE TABLE romanization_lexicon (
        id bigserial CONSTRAINT romanization_lexicon_pkey PRIMARY KEY,
        hanzi text NOT NULL CONSTRAINT romanization_lexicon_hanzi_uq UNIQUE,
        form text NOT NULL,
        kind varchar(6) NOT NULL CONSTRAINT romanization_lexicon_kind_known CHECK (kind IN ('root','name')),
        language varchar(6) NOT NULL DEFAULT 'mn',
        source text NOT NULL,
        updated_by text NOT NULL DEFAULT 'import',
        updated_at timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("""
    CREATE TABLE naming_request (
        id bigserial CONSTRAINT naming_request_pkey PRIMARY KEY,
        kind varchar(12) NOT NULL CONSTRAINT naming_request_kind_known
            CHECK (kind IN ('naming','renaming','cancellation')),
        place_name_id bigint CONSTRAINT naming_request_name_fkey REFERENCES place_name (id),
        stage varchar(12) NOT NULL DEFAULT 'application' CONSTRAINT naming_request_stage_known
            CHECK (stage IN ('application','review','approval','announcement','filed','rejected','withdrawn')),
        proposal jsonb NOT NULL,
        applicant text NOT NULL,
        reason text NOT NULL,
        expert_opinion text,
        consultation text,
        approval_body text,
        approval_document text,
        approval_date date,
        announced_on date,
        filed_on date,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        events jsonb NOT NULL DEFAULT '[]',
        CONSTRAINT naming_request_target CHECK (kind = 'naming' OR place_name_id IS NOT NULL)
    )""")
    op.execute("""
    CREATE TABLE place_name_finding (
        id bigserial CONSTRAINT place_name_finding_pkey PRIMARY KEY,
        place_name_id bigint NOT NULL CONSTRAINT place_name_finding_name_fkey REFERENCES place_name (id),
        rule varchar(40) NOT NULL,
        severity varchar(8) NOT NULL CONSTRAINT place_name_finding_severity_known
            CHECK (severity IN ('error','warning','review')),
        message text NOT NULL,
        suggestion text,
        status varchar(8) NOT NULL DEFAULT 'open'
            CONSTRAINT place_name_finding_status_known CHECK (status IN ('open','resolved','waived')),
        waiver_reason text,
        closed_by text,
        closed_at timestamptz,
        found_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT place_name_finding_waiver_has_reason CHECK (status <> 'waived' OR waiver_reason IS NOT NULL)
    )""")
    op.execute(
        "CREATE UNIQUE INDEX place_name_finding_open_uq ON place_name_finding (place_name_id, rule, message)"
        " WHERE status = 'open'"
    )
    op.execute("""
    CREATE TABLE place_name_location_suggestion (
        id bigserial CONSTRAINT place_name_location_suggestion_pkey PRIMARY KEY,
        place_name_id bigint NOT NULL CONSTRAINT place_name_location_suggestion_name_fkey
            REFERENCES place_name (id),
        geom geometry(Point, 4490) NOT NULL,
        matched_name text NOT NULL,
        method text NOT NULL,
        source text NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'suggested' CONSTRAINT place_name_location_suggestion_status_known
            CHECK (status IN ('suggested','accepted','rejected')),
        decided_by text,
        decided_at timestamptz,
        CONSTRAINT place_name_location_suggestion_uq UNIQUE (place_name_id, matched_name)
    )""")
    # What the map shows: located names at a label point, with their open findings.
    op.execute("""
    CREATE VIEW place_name_map AS
    SELECT p.id, p.name, p.romanization, p.status, p.level, p.category_code, p.admin_code,
           coalesce(f.open_findings, 0) AS open_findings,
           coalesce(f.worst, 'none') AS finding_state,
           ST_X(pt) AS label_lon, ST_Y(pt) AS label_lat, pt AS geom
    FROM place_name p
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(p.geom) AS pt) g
    LEFT JOIN LATERAL (
        SELECT count(*) AS open_findings,
               (array_agg(severity ORDER BY array_position(ARRAY['error','warning','review'], severity)))[1]
                   AS worst
        FROM place_name_finding WHERE place_name_id = p.id AND status = 'open'
    ) f ON true
    WHERE p.geom IS NOT NULL AND p.status <> 'cancelled'""")
    op.execute("""
    CREATE VIEW place_name_finding_map AS
    SELECT * FROM place_name_map WHERE open_findings > 0""")
    for table in ("place_name", "naming_request", "place_name_finding"):
        op.execute(f"""CREATE TRIGGER {table}_bump_data_version
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS place_name_finding_map")
    op.execute("DROP VIEW IF EXISTS place_name_map")
    for table in (
        "place_name_location_suggestion",
        "place_name_finding",
        "naming_request",
        "romanization_lexicon",
        "place_name_version",
        "place_name",
        "place_name_category",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP FUNCTION IF EXISTS place_name_grams(text)")

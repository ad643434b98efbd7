"""The table definitions. One place, applied idempotently at open.

``events`` carries ``person_key`` (userId, else anonymousId) and is kept physically clustered by it,
so DuckDB's zone maps turn a timeline lookup into a read of one or two row groups.
Identity tables are a graph: ``identity_nodes`` (kind, value) -> ``profile_id`` and the
``identity_edges`` that justify each link; ``profile_merges`` redirects ids that were merged away,
so the golden-record engine can plug in with its own edges and keep ids stable.
"""

import re

SCHEMA_VERSION = 1


UNCOMPRESSED = "USING COMPRESSION uncompressed"


def declares_uncompressed(ddl: str) -> bool:
    """Whether a table definition (ours, or the one DuckDB reports) keeps some text
    uncompressed; an older store's tables lack it until ``store optimize`` rewrites them."""
    return UNCOMPRESSED.upper() in ddl.upper()


def point_read(ddl: str) -> str:
    """``ddl`` with its text columns stored uncompressed, for tables the real-time path reads
    row by row (one record's candidates, one golden record). DuckDB fetches a row from a
    dictionary/FSST segment by decoding far more than the row: at 1M records, 64 rows of
    ``std_records`` take about 100 ms compressed and 12 ms uncompressed. The table takes
    about twice the space; scans are as fast."""
    return re.sub(r"\b(VARCHAR|JSON)\b(?!\[)", rf"\1 {UNCOMPRESSED}", ddl)


DDL: list[str] = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS events (
        message_id   VARCHAR NOT NULL,
        type         VARCHAR NOT NULL,
        name         VARCHAR,
        user_id      VARCHAR,
        anonymous_id VARCHAR,
        person_key   VARCHAR NOT NULL,
        group_id     VARCHAR,
        previous_id  VARCHAR,
        channel      VARCHAR,
        source       VARCHAR,
        timestamp    TIMESTAMPTZ NOT NULL,
        sent_at      TIMESTAMPTZ,
        received_at  TIMESTAMPTZ NOT NULL,
        properties   VARCHAR,  -- JSON text, validated at ingest (not re-parsed on insert)
        traits       VARCHAR,
        context      VARCHAR
    )""",
    # DuckDB's 64-bit hash of every stored messageId. The dedupe probe of each ingest batch
    # scans these 8-byte values instead of the ids' text (at 10M events: ~17 instead of
    # ~125 ms for a 5,000-event REST batch) and compares text only for a hash hit. Filled by
    # the same transaction that inserts the events; Database._index_event_ids refills it for an
    # older store or another DuckDB version.
    """CREATE TABLE IF NOT EXISTS event_ids (id_hash UBIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
        id           VARCHAR PRIMARY KEY,
        received_at  TIMESTAMPTZ NOT NULL,
        source       VARCHAR NOT NULL,
        position     BIGINT,
        reason_code  VARCHAR NOT NULL,
        reason       VARCHAR NOT NULL,
        payload      BLOB,
        status       VARCHAR NOT NULL DEFAULT 'open',
        replayed_at  TIMESTAMPTZ
    )""",
    """CREATE TABLE IF NOT EXISTS identity_nodes (
        kind       VARCHAR NOT NULL,
        value      VARCHAR NOT NULL,
        profile_id BIGINT NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (kind, value)
    )""",
    """CREATE TABLE IF NOT EXISTS identity_edges (
        a_kind VARCHAR NOT NULL, a_value VARCHAR NOT NULL,
        b_kind VARCHAR NOT NULL, b_value VARCHAR NOT NULL,
        evidence VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS profile_merges (
        from_profile BIGINT NOT NULL,
        into_profile BIGINT NOT NULL,
        merged_at    TIMESTAMPTZ NOT NULL,
        evidence     VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS account_members (
        group_id   VARCHAR NOT NULL,
        kind       VARCHAR NOT NULL,
        value      VARCHAR NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (group_id, kind, value)
    )""",
    """CREATE TABLE IF NOT EXISTS api_keys (
        id         VARCHAR PRIMARY KEY,
        name       VARCHAR,
        key_hash   VARCHAR NOT NULL UNIQUE,
        prefix     VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ
    )""",
    """CREATE TABLE IF NOT EXISTS source_records (
        source       VARCHAR NOT NULL,
        record_id    VARCHAR NOT NULL,
        record       JSON NOT NULL,
        content_hash VARCHAR NOT NULL,
        imported_at  TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (source, record_id)
    )""",
    """CREATE TABLE IF NOT EXISTS imports (
        id          VARCHAR PRIMARY KEY,
        path        VARCHAR NOT NULL,
        format      VARCHAR NOT NULL,
        started_at  TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        rows_read   BIGINT NOT NULL DEFAULT 0,
        accepted    BIGINT NOT NULL DEFAULT 0,
        duplicates  BIGINT NOT NULL DEFAULT 0,
        rejected    BIGINT NOT NULL DEFAULT 0,
        status      VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS sources (
        name       VARCHAR PRIMARY KEY,
        kind       VARCHAR NOT NULL,
        mapping    JSON NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    point_read(
        """CREATE TABLE IF NOT EXISTS std_records (
        uid VARCHAR NOT NULL, source VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, trust INTEGER NOT NULL,
        record_updated_at DATE, salutation VARCHAR, gender VARCHAR, title VARCHAR,
        given_name VARCHAR, family_name VARCHAR, birth_date VARCHAR, birth_year INTEGER,
        email VARCHAR, emails VARCHAR[], phone VARCHAR, phones VARCHAR[], street VARCHAR,
        house_number VARCHAR, postcode VARCHAR, city VARCHAR, country VARCHAR,
        customer_number VARCHAR, national_id VARCHAR, organisation_name VARCHAR,
        legal_form VARCHAR, organisation_type VARCHAR, vat_id VARCHAR, language VARCHAR,
        email_opt_in BOOLEAN, changes INTEGER NOT NULL, given_key VARCHAR, family_key VARCHAR,
        email_key VARCHAR, phone_tail VARCHAR, street_key VARCHAR, city_key VARCHAR,
        organisation_key VARCHAR, email_head VARCHAR, email_tail VARCHAR
    )"""
    ),
    # stores from before the email halves (re-standardised: see STANDARDIZER_VERSION)
    "ALTER TABLE std_records ADD COLUMN IF NOT EXISTS email_head VARCHAR",
    "ALTER TABLE std_records ADD COLUMN IF NOT EXISTS email_tail VARCHAR",
    # each person record's blocking key values, for real-time candidate lookup
    # (identity/matching/blocking_index.py)
    point_read(
        """CREATE TABLE IF NOT EXISTS blocking_keys (
        key VARCHAR NOT NULL,
        uid VARCHAR NOT NULL
    )"""
    ),
    """CREATE TABLE IF NOT EXISTS match_models (
        kind       VARCHAR PRIMARY KEY,
        model      JSON NOT NULL,
        trained_at TIMESTAMPTZ NOT NULL
    )""",
    point_read(
        """CREATE TABLE IF NOT EXISTS golden_members (
        uid         VARCHAR PRIMARY KEY,
        golden_id   VARCHAR NOT NULL,
        assigned_at TIMESTAMPTZ NOT NULL
    )"""
    ),
    point_read(
        """CREATE TABLE IF NOT EXISTS golden_records (
        golden_id       VARCHAR PRIMARY KEY,
        kind            VARCHAR NOT NULL,
        attributes      JSON NOT NULL,
        lineage         JSON NOT NULL,
        identifiers     JSON NOT NULL,
        members         INTEGER NOT NULL,
        organisation_id VARCHAR,
        created_at      TIMESTAMPTZ NOT NULL,
        updated_at      TIMESTAMPTZ NOT NULL
    )"""
    ),
    point_read(
        """CREATE TABLE IF NOT EXISTS golden_redirects (
        from_id VARCHAR PRIMARY KEY,
        into_id VARCHAR NOT NULL,
        redirected_at TIMESTAMPTZ NOT NULL
    )"""
    ),
    """CREATE TABLE IF NOT EXISTS golden_changes (
        seq       BIGINT PRIMARY KEY,
        golden_id VARCHAR NOT NULL,
        change    VARCHAR NOT NULL,
        changed_at TIMESTAMPTZ NOT NULL,
        actor     VARCHAR,
        reason    VARCHAR,
        details   JSON
    )""",
    """CREATE TABLE IF NOT EXISTS match_reviews (
        uid_l VARCHAR NOT NULL, uid_r VARCHAR NOT NULL,
        match_probability DOUBLE NOT NULL,
        status     VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        decided_at TIMESTAMPTZ, actor VARCHAR, reason VARCHAR,
        PRIMARY KEY (uid_l, uid_r)
    )""",
    """CREATE TABLE IF NOT EXISTS match_decisions (
        uid_l VARCHAR NOT NULL, uid_r VARCHAR NOT NULL,
        decision VARCHAR NOT NULL,
        actor    VARCHAR NOT NULL,
        reason   VARCHAR NOT NULL,
        decided_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (uid_l, uid_r)
    )""",
    """CREATE TABLE IF NOT EXISTS webhooks (
        id VARCHAR PRIMARY KEY, url VARCHAR NOT NULL, secret VARCHAR NOT NULL,
        cursor BIGINT NOT NULL, delivered BIGINT NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0, next_attempt_at TIMESTAMPTZ, last_error VARCHAR,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS journeys (
        name       VARCHAR NOT NULL,
        version    INTEGER NOT NULL,
        model      JSON NOT NULL,
        source     VARCHAR NOT NULL,   -- the YAML text as applied
        applied_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (name, version)
    )""",
    # person_key -> case (golden id, else profile), the "customer" of journey analytics
    """CREATE TABLE IF NOT EXISTS case_keys (
        person_key VARCHAR PRIMARY KEY,
        case_id    VARCHAR NOT NULL,
        b2b        BOOLEAN NOT NULL
    )""",
    # every event once, as an event log: case, time (also as epoch microseconds), activity
    """CREATE TABLE IF NOT EXISTS journey_log (
        case_id    VARCHAR NOT NULL,
        person_key VARCHAR NOT NULL,
        ts         TIMESTAMPTZ NOT NULL,
        t_us       BIGINT NOT NULL,
        message_id VARCHAR NOT NULL,
        activity   VARCHAR NOT NULL,
        type       VARCHAR NOT NULL,
        channel    VARCHAR
    )""",
    # the events a journey's touchpoints match (first matching touchpoint wins)
    """CREATE TABLE IF NOT EXISTS journey_events (
        journey    VARCHAR NOT NULL,
        case_id    VARCHAR NOT NULL,
        ts         TIMESTAMPTZ NOT NULL,
        t_us       BIGINT NOT NULL,
        message_id VARCHAR NOT NULL,
        activity   VARCHAR NOT NULL,
        channel    VARCHAR,
        touchpoint VARCHAR NOT NULL,
        phase      VARCHAR NOT NULL,
        phase_rank INTEGER NOT NULL
    )""",
    # voice of the customer: survey definitions (versioned like journeys) and their questions
    """CREATE TABLE IF NOT EXISTS surveys (
        name       VARCHAR NOT NULL,
        version    INTEGER NOT NULL,
        model      JSON NOT NULL,
        source     VARCHAR NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (name, version)
    )""",
    """CREATE TABLE IF NOT EXISTS survey_questions (
        survey_id VARCHAR NOT NULL, version INTEGER NOT NULL, question_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL, position INTEGER NOT NULL
    )""",
    # one row per "Survey Answered" event (ours and other tools'), collected from the events
    """CREATE TABLE IF NOT EXISTS survey_responses (
        response_id    VARCHAR NOT NULL,  -- the event's message_id (kept unique by collect)
        survey_id      VARCHAR NOT NULL,
        survey_version INTEGER,
        kind           VARCHAR,
        person_key     VARCHAR NOT NULL,
        ts             TIMESTAMPTZ NOT NULL,
        touchpoint     VARCHAR,
        channel        VARCHAR,
        language       VARCHAR,
        score          DOUBLE,
        comment        VARCHAR,
        invitation_id  VARCHAR,
        answers        JSON
    )""",
    # every scale answer (nps, csat, ces, yes_no as 0/1): the fact table scores are read from
    """CREATE TABLE IF NOT EXISTS survey_scores (
        response_id VARCHAR NOT NULL, survey_id VARCHAR NOT NULL, question_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL, score DOUBLE NOT NULL, person_key VARCHAR NOT NULL,
        ts TIMESTAMPTZ NOT NULL, touchpoint VARCHAR, channel VARCHAR, language VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS survey_invitations (
        invitation_id  VARCHAR PRIMARY KEY,
        survey_id      VARCHAR NOT NULL,
        survey_version INTEGER NOT NULL,
        trigger_id     VARCHAR NOT NULL,     -- the event (message_id) that triggered it
        person_key     VARCHAR NOT NULL,
        case_id        VARCHAR NOT NULL,
        touchpoint     VARCHAR,
        channel        VARCHAR NOT NULL,     -- email | sms
        address        VARCHAR,
        name           VARCHAR,
        language       VARCHAR NOT NULL,
        triggered_at   TIMESTAMPTZ NOT NULL,
        due_at         TIMESTAMPTZ NOT NULL,
        expires_at     TIMESTAMPTZ NOT NULL,
        status         VARCHAR NOT NULL,     -- scheduled | skipped | queued | sent | answered
        reason         VARCHAR,              -- why skipped (sampling, fatigue, consent, address)
        sent_at        TIMESTAMPTZ,
        answered_at    TIMESTAMPTZ,
        created_at     TIMESTAMPTZ NOT NULL,
        UNIQUE (survey_id, trigger_id)
    )""",
    """CREATE TABLE IF NOT EXISTS survey_outbox (
        message_id    VARCHAR PRIMARY KEY,
        invitation_id VARCHAR NOT NULL,
        channel       VARCHAR NOT NULL,
        recipient     VARCHAR NOT NULL,
        subject       VARCHAR,
        body          VARCHAR NOT NULL,
        status        VARCHAR NOT NULL,      -- pending | sent | failed
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    VARCHAR,
        created_at    TIMESTAMPTZ NOT NULL,
        sent_at       TIMESTAMPTZ
    )""",
    # consent per identifier (user id / anonymous id) and purpose; the newest record counts
    """CREATE TABLE IF NOT EXISTS consents (
        person_key VARCHAR NOT NULL,
        purpose    VARCHAR NOT NULL,
        granted    BOOLEAN NOT NULL,
        source     VARCHAR NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    # fitted customer-value models (BG/NBD + Gamma-Gamma), newest last
    """CREATE TABLE IF NOT EXISTS clv_models (
        id          BIGINT PRIMARY KEY,
        fitted_at   TIMESTAMPTZ NOT NULL,
        options     JSON NOT NULL,
        bgnbd       JSON NOT NULL,
        gamma_gamma JSON NOT NULL,
        customers   BIGINT NOT NULL,
        until_day   INTEGER NOT NULL
    )""",
    # money spent on keeping customers, per date range and segment ("all": every customer)
    """CREATE TABLE IF NOT EXISTS retention_costs (
        period_start DATE NOT NULL,
        period_end   DATE NOT NULL,
        segment      VARCHAR NOT NULL,
        amount       DOUBLE NOT NULL,
        currency     VARCHAR NOT NULL,
        note         VARCHAR NOT NULL,
        updated_at   TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (period_start, period_end, segment)
    )""",
    "CREATE SEQUENCE IF NOT EXISTS clv_model_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS golden_ids START 1",
    "CREATE SEQUENCE IF NOT EXISTS golden_change_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS profile_ids START 1",
    "CREATE INDEX IF NOT EXISTS identity_nodes_value ON identity_nodes (value)",
    "CREATE INDEX IF NOT EXISTS identity_nodes_profile ON identity_nodes (profile_id)",
    "CREATE INDEX IF NOT EXISTS golden_members_golden ON golden_members (golden_id)",
    # point lookups of one record in real time: by uid, by key, by personal identifier
    "CREATE INDEX IF NOT EXISTS blocking_keys_key ON blocking_keys (key)",
    "CREATE INDEX IF NOT EXISTS std_records_uid ON std_records (uid)",
    "CREATE INDEX IF NOT EXISTS std_records_email_key ON std_records (email_key)",
    "CREATE INDEX IF NOT EXISTS std_records_phone ON std_records (phone)",
]

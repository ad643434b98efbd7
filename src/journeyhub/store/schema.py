"""The table definitions. One place, applied idempotently at open.

``events`` carries ``person_key`` (userId, else anonymousId) and is kept physically clustered by it,
so DuckDB's zone maps turn a timeline lookup into a read of one or two row groups.
Identity tables are a graph: ``identity_nodes`` (kind, value) -> ``profile_id`` and the
``identity_edges`` that justify each link; ``profile_merges`` redirects ids that were merged away,
so the golden-record engine can plug in with its own edges and keep ids stable.
"""

SCHEMA_VERSION = 1

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
    "CREATE SEQUENCE IF NOT EXISTS profile_ids START 1",
    "CREATE INDEX IF NOT EXISTS identity_nodes_value ON identity_nodes (value)",
    "CREATE INDEX IF NOT EXISTS identity_nodes_profile ON identity_nodes (profile_id)",
]

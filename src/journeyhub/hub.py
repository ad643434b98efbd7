"""``Hub``: the one Python API. The CLI, the REST API and notebooks all go through it.

>>> hub = Hub(":memory:")
>>> hub.track({"userId": "u1", "event": "Order Completed", "properties": {"revenue": 42.5}})
{'accepted': 1, 'duplicates': 0, 'rejected': []}
>>> [e["event"] for e in hub.timeline("u1").items]
['Order Completed']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from journeyhub.analytics.service import Analytics
from journeyhub.analytics.timeline import (
    TimelinePage,
    TimelineQuery,
    account_timeline,
    customer_timeline,
)
from journeyhub.auth import keys
from journeyhub.feedback.service import Feedback
from journeyhub.identity import (
    incremental,
    playback,
    quality,
    resolution,
    sources,
    stewardship,
    webhooks,
)
from journeyhub.identity.matching.model import Thresholds
from journeyhub.identity.sources import SourceMapping
from journeyhub.ingest import quarantine
from journeyhub.ingest.files import EventImporter, ImportReport, Progress
from journeyhub.ingest.pipeline import ChunkResult
from journeyhub.ingest.quarantine import ReplayReport
from journeyhub.ingest.records import RecordsReport, import_records
from journeyhub.ingest.writer import BatchWriter
from journeyhub.journey import store as journey_store
from journeyhub.journey.model import Journey
from journeyhub.store import Database, default_db_path
from journeyhub.store.maintenance import cluster_events, relayout_point_read_tables


def _ingest_summary(result: ChunkResult) -> dict[str, Any]:
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": [r.as_dict() for r in result.rejections],
    }


class Hub:
    """A journeyhub database: ingest, timelines, quarantine, keys.

    ``Hub()`` opens ``$JOURNEYHUB_DB`` or ``./journeyhub.duckdb``; ``Hub(":memory:")`` is a
    throw-away store for notebooks and doctests.
    """

    def __init__(self, db: str | Path | None = None, *, read_only: bool = False) -> None:
        self.db = Database(db if db is not None else default_db_path(), read_only=read_only)
        self._writer: BatchWriter | None = None
        self._analytics: Analytics | None = None
        self._feedback: Feedback | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def writer(self) -> BatchWriter:
        """The group-commit writer (started on first use)."""
        if self._writer is None:
            self._writer = BatchWriter(self.db)
        return self._writer

    def close(self) -> None:
        """Flush pending writes and close the database (closing twice is harmless)."""
        if self.db.closed:
            return
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.db.checkpoint()
        self.db.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ------------------------------------------------------------------------------

    def ingest_json(
        self, raws: list[Any], *, source: str = "api", default_type: str | None = None
    ) -> ChunkResult:
        """Commit events given as JSON text or parsed values; blocks until they are durable."""
        return self.writer.submit(raws, source=source, default_type=default_type).result()

    def ingest(
        self,
        events: Iterable[Mapping[str, Any]],
        *,
        source: str = "python",
        default_type: str | None = None,
    ) -> dict[str, Any]:
        """Ingest Segment-spec events given as dicts; returns accepted, duplicates, rejected."""
        # round-trip through JSON so dates and decimals become the strings the spec expects
        raws = [orjson.loads(orjson.dumps(e, default=str)) for e in events]
        return _ingest_summary(self.ingest_json(raws, source=source, default_type=default_type))

    def track(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Ingest one ``track`` call."""
        return self.ingest([event], default_type="track")

    def identify(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Ingest one ``identify`` call."""
        return self.ingest([event], default_type="identify")

    def import_events(
        self,
        path: str | Path,
        *,
        fmt: str | None = None,
        mapping: Mapping[str, str] | None = None,
        chunk_rows: int = 1_000_000,
        progress: Progress | None = None,
        cluster: bool = True,
    ) -> ImportReport:
        """Import a JSONL, CSV or Parquet file of events (idempotent; chunked commits).

        With ``cluster`` (default) a large import ends by re-clustering events by person, so
        timelines stay fast; the time it takes is reported separately.
        """
        importer = EventImporter(
            self.db, path, fmt=fmt, mapping=mapping, chunk_rows=chunk_rows, cluster=cluster
        )
        return importer.run(progress)

    def import_records(
        self,
        source: str,
        path: str | Path,
        *,
        id_column: str | None = None,
        encoding: str | None = None,
    ) -> RecordsReport:
        """Import a source system's customer records file.

        For a registered source the id column and the file encoding come from its mapping,
        and a file lacking a mapped column is refused before anything is written.
        """
        registered = [r["name"] for r in self.db.query("SELECT name FROM sources")]
        mapping = sources.get_source(self.db, source) if source in registered else None
        if mapping is None:
            return import_records(self.db, source, path, id_column=id_column, encoding=encoding)
        return import_records(
            self.db,
            source,
            path,
            id_column=id_column or mapping.id_column,
            required_columns=mapping.columns(),
            encoding=encoding or mapping.encoding,
        )

    # -- customer data hub -----------------------------------------------------------------------

    def add_source(self, name: str, mapping: str | Path) -> SourceMapping:
        """Register a source system with its YAML mapping to the canonical model."""
        return sources.add_source(self.db, name, mapping)

    def sources(self) -> list[dict[str, Any]]:
        """Registered sources with kind, trust and record counts."""
        return sources.list_sources(self.db)

    def source(self, name: str) -> SourceMapping:
        """The mapping of one registered source."""
        return sources.get_source(self.db, name)

    def resolve(
        self,
        *,
        engine: str = "duckdb",
        retrain: bool = False,
        thresholds: Thresholds | None = None,
        progress: Any = None,
    ) -> resolution.ResolveReport:
        """Batch identity resolution into golden records (ids stay stable across runs)."""
        return resolution.resolve(
            self.db, engine=engine, retrain=retrain, thresholds=thresholds, progress=progress
        )

    def upsert_record(
        self, source: str, record: Mapping[str, Any], *, actor: str = "api"
    ) -> dict[str, Any]:
        """Store one source record and match it now; the answer carries its ``golden_id``."""
        return incremental.upsert_record(self.db, source, dict(record), actor=actor)

    def golden(self, golden_id: str) -> dict[str, Any]:
        """A golden record with lineage, identifiers and history (redirects followed)."""
        return playback.get_golden(self.db, golden_id)

    def golden_lookup(self, **identifier: str | None) -> dict[str, Any]:
        """The golden record known by an email, phone, customer number or record uid."""
        return playback.lookup(self.db, **identifier)

    def export_golden(self, out: str | Path, *, fmt: str = "csv", source: str | None = None) -> int:
        """Write one row per source record with its golden id and golden attributes."""
        return playback.export_golden(self.db, out, fmt=fmt, source=source)

    def golden_changes(self, since: int = 0, limit: int = 1000) -> dict[str, Any]:
        """The change feed of golden records after a cursor."""
        return playback.changes_since(self.db, since, limit)

    def quality_report(self, source: str | None = None) -> dict[str, Any]:
        """Completeness, validity, standardisation per source field; duplicates per source."""
        return quality.quality_report(self.db, source)

    def add_webhook(self, url: str, *, from_start: bool = False) -> dict[str, Any]:
        """Subscribe a URL to the golden-record change feed; the answer holds its secret."""
        return webhooks.add_webhook(self.db, url, from_start=from_start)

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Webhook subscriptions with cursor, deliveries and last error."""
        return webhooks.list_webhooks(self.db)

    def remove_webhook(self, hook_id: str) -> bool:
        """Unsubscribe a webhook."""
        return webhooks.remove_webhook(self.db, hook_id)

    def deliver_webhooks(self, *, force: bool = False) -> list[webhooks.Delivery]:
        """Push pending changes to every due webhook (failed ones wait for their backoff)."""
        return webhooks.deliver(self.db, force=force)

    # -- journeys ----------------------------------------------------------------------------

    def apply_journey(self, path: str | Path) -> dict[str, Any]:
        """Validate a journey file (or template name) and apply it; events are re-mapped."""
        return journey_store.apply_journey(self.db, path)

    def journeys(self) -> list[dict[str, Any]]:
        """Applied journeys with their newest version."""
        return journey_store.list_journeys(self.db)

    def journey(self, name: str | None = None, version: int | None = None) -> Journey:
        """An applied journey model."""
        return journey_store.get_journey(self.db, name, version)

    @property
    def analytics(self) -> Analytics:
        """Journey analytics (funnels, paths, DFG, conformance, friction, goals, ...)."""
        if self._analytics is None:
            self._analytics = Analytics(self.db)
        return self._analytics

    @property
    def feedback(self) -> Feedback:
        """Voice of the customer: surveys, invitations, responses, scores, Soll-Ist."""
        if self._feedback is None:
            self._feedback = Feedback(self.db, self.analytics, self.ingest)
        return self._feedback

    def set_consent(
        self, person: str, purpose: str, granted: bool, *, source: str = "api"
    ) -> dict[str, Any]:
        """Record a consent decision of a customer (user id or anonymous id) for a purpose;
        the newest decision counts."""
        now = datetime.now(UTC)
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO consents VALUES (?, ?, ?, ?, ?)",
                [person, purpose, granted, source, now],
            )
        return {"person": person, "purpose": purpose, "granted": granted, "updated_at": now}

    # -- stewardship --------------------------------------------------------------------------

    def merge_golden(self, golden_ids: list[str], *, actor: str, reason: str) -> dict[str, Any]:
        """Merge golden records into the oldest one (the others redirect to it)."""
        return stewardship.merge(self.db, golden_ids, actor=actor, reason=reason)

    def unmerge_golden(
        self, golden_id: str, *, records: list[str] | None = None, actor: str, reason: str
    ) -> dict[str, Any]:
        """Undo the latest merge into a golden record, or split the named records off."""
        return stewardship.unmerge(self.db, golden_id, records=records, actor=actor, reason=reason)

    def match_reviews(self, *, status: str = "open", limit: int = 50, offset: int = 0
                      ) -> dict[str, Any]:  # fmt: skip
        """Record pairs waiting for a steward's judgement (grey zone), likeliest first."""
        return stewardship.reviews(self.db, status=status, limit=limit, offset=offset)

    def decide_match(
        self, uid_l: str, uid_r: str, decision: str, *, actor: str, reason: str
    ) -> dict[str, Any]:
        """Judge a record pair: ``merge`` or ``never`` (kept through every later run)."""
        return stewardship.decide(self.db, uid_l, uid_r, decision, actor=actor, reason=reason)

    # -- timelines -----------------------------------------------------------------------------

    def timeline(
        self,
        identifier: str,
        *,
        limit: int = 50,
        cursor: str | None = None,
        channels: list[str] | None = None,
        events: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        descending: bool = False,
    ) -> TimelinePage:
        """Every event of the person behind a userId, anonymousId, email or phone number."""
        q = TimelineQuery(limit, cursor, channels, events, since, until, descending)
        return customer_timeline(self.db, identifier, q)

    def account_timeline(
        self,
        group_id: str,
        *,
        limit: int = 50,
        cursor: str | None = None,
        channels: list[str] | None = None,
        events: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        descending: bool = False,
    ) -> TimelinePage:
        """Merged timeline of all contacts of a B2B account (``groupId``)."""
        q = TimelineQuery(limit, cursor, channels, events, since, until, descending)
        return account_timeline(self.db, group_id, q)

    # -- quarantine ----------------------------------------------------------------------------

    def quarantine(self, **filters: Any) -> list[dict[str, Any]]:
        """Rejected inputs with reasons (filters: status, reason_code, limit, offset)."""
        return quarantine.list_quarantine(self.db, **filters)

    def replay_quarantine(
        self, ids: list[str] | None = None, fixes: Mapping[str, str | bytes] | None = None
    ) -> ReplayReport:
        """Re-validate quarantined inputs, optionally with corrected payloads."""
        return quarantine.replay(self.db, ids, fixes)

    # -- keys ----------------------------------------------------------------------------------

    def create_key(self, name: str = "default") -> dict[str, str]:
        """A new API key (shown once)."""
        return keys.create_key(self.db, name)

    def is_valid_key(self, key: str) -> bool:
        """Whether an API key is known and active."""
        return keys.is_valid_key(self.db, key)

    def active_key_id(self, key: str) -> str | None:
        """The id of an API key that is known and active (None otherwise)."""
        return keys.active_key_id(self.db, key)

    def list_keys(self) -> list[dict[str, Any]]:
        """Every API key without its secret: id, name, prefix, created_at, revoked_at."""
        return keys.list_keys(self.db)

    def revoke_key(self, key_id: str) -> None:
        """Revoke an API key by id; ``KeyError`` when no active key has that id."""
        if not keys.revoke_key(self.db, key_id):
            raise KeyError(f"no active API key with id {key_id}")

    # -- maintenance and facts -----------------------------------------------------------------

    def optimize(self) -> dict[str, Any]:
        """Re-cluster events by person (fast timelines after many small writes) and rewrite
        tables an older version laid out differently; says what it did."""
        return {
            "events_clustered": cluster_events(self.db),
            "tables_rewritten": relayout_point_read_tables(self.db),
        }

    def stats(self) -> dict[str, Any]:
        """Row counts of the main tables."""
        counts = self.db.query(
            """SELECT (SELECT count(*) FROM events) AS events,
                      (SELECT count(DISTINCT person_key) FROM events) AS people_keys,
                      (SELECT count(DISTINCT profile_id) FROM identity_nodes) AS profiles,
                      (SELECT count(*) FROM identity_nodes) AS identities,
                      (SELECT count(*) FROM quarantine WHERE status = 'open') AS quarantined,
                      (SELECT count(*) FROM source_records) AS source_records,
                      (SELECT count(*) FROM golden_records) AS golden_records,
                      (SELECT count(DISTINCT group_id) FROM account_members) AS accounts"""
        )[0]
        return {"db": str(self.db.path), **counts}

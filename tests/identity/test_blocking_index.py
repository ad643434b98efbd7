"""The blocking-key index real-time matching looks candidates up in.

It must always hold exactly what the batch blocking rules would pair on, whichever way the
records got there, so a record found in real time is found in batch and the other way round.
"""

from __future__ import annotations

from journeyhub import Hub
from journeyhub.identity.matching import blocking_index
from journeyhub.identity.matching.model import BLOCKING_KEYS, BlockingKey


def _number(*columns: str, swapped: bool = False) -> int:
    return BLOCKING_KEYS.index(BlockingKey(columns, swapped))


def _keys(hub: Hub) -> list[tuple[str, str]]:
    return hub.db.cursor().execute("SELECT key, uid FROM blocking_keys ORDER BY ALL").fetchall()


def test_maintained_keys_equal_a_rebuild_from_the_records(resolved_hub: Hub) -> None:
    resolved_hub.upsert_record(
        "webshop",
        {"customer_id": "BK-1", "email": "neu@example.de", "first_name": "Jana",
         "last_name": "Kraus", "zip": "10115"},
    )  # fmt: skip
    maintained = _keys(resolved_hub)
    assert ("0:neu@example.de", "webshop/BK-1") in maintained
    assert (f"{_number('given_key', 'postcode')}:jana|10115", "webshop/BK-1") in maintained
    with resolved_hub.db.transaction() as cur:
        assert blocking_index.rebuild(cur) == len(maintained)
    assert _keys(resolved_hub) == maintained


def test_an_index_made_for_other_blocking_keys_is_rebuilt(resolved_hub: Hub) -> None:
    with resolved_hub.db.transaction() as cur:
        cur.execute("UPDATE blocking_keys SET key = 'old:' || key")
        cur.execute("UPDATE meta SET value = 'older' WHERE key = ?", [blocking_index.VERSION_KEY])
    resolved_hub.db.forget("blocking_index_filled")
    resolved_hub.upsert_record(
        "webshop",
        {"customer_id": "BK-5", "first_name": "Ida", "last_name": "Sommer", "zip": "24103"},
    )
    keys = _keys(resolved_hub)
    assert not [k for k, _ in keys if k.startswith("old:")]
    with resolved_hub.db.transaction() as cur:
        blocking_index.ensure_current(cur)  # current now: nothing to redo
        assert _keys(resolved_hub) == keys
        assert blocking_index.rebuild(cur) == len(keys)


def test_crossed_names_are_looked_up_crossed() -> None:
    row = {"uid": "a/1", "given_key": "mueller", "family_key": "anna", "postcode": "80331"}
    keys = blocking_index.lookup_keys(row)
    # stored as "<postcode>|<given>|<family>" of the other record: Anna Mueller
    assert f"{_number('postcode', swapped=True)}:80331|anna|mueller" in keys
    assert f"{_number('given_key', 'postcode')}:mueller|80331" in keys  # and uncrossed
    assert blocking_index.lookup_keys({"uid": "a/2", "postcode": "80331"}) == []


def test_a_record_with_crossed_names_finds_its_twin_in_real_time(resolved_hub: Hub) -> None:
    first = resolved_hub.upsert_record(
        "webshop",
        {"customer_id": "BK-2", "first_name": "Greta", "last_name": "Lindqvist",
         "zip": "20095", "email": "greta.l@example.se"},
    )  # fmt: skip
    cur = resolved_hub.db.cursor()
    crossed = {"uid": "webshop/BK-3", "given_key": "lindqvist", "family_key": "greta",
               "postcode": "20095"}  # fmt: skip
    assert "webshop/BK-2" in blocking_index.candidates(cur, crossed)
    assert first["status"] == "created"


def test_a_typo_in_either_name_is_still_found_by_the_other_name_and_postcode(
    resolved_hub: Hub,
) -> None:
    resolved_hub.upsert_record(
        "webshop",
        {"customer_id": "BK-6", "first_name": "Malte", "last_name": "Rosenhammer",
         "zip": "50667", "email": "malte.r@example.de"},
    )  # fmt: skip
    cur = resolved_hub.db.cursor()
    family_typo = {"uid": "pos/BK-7", "given_key": "malte", "family_key": "rosenahmmer",
                   "postcode": "50667"}  # fmt: skip
    given_typo = {"uid": "pos/BK-8", "given_key": "mlate", "family_key": "rosenhammer",
                  "postcode": "50667"}  # fmt: skip
    assert "webshop/BK-6" in blocking_index.candidates(cur, family_typo)
    assert "webshop/BK-6" in blocking_index.candidates(cur, given_typo)


def test_deleted_records_leave_no_keys_behind(resolved_hub: Hub) -> None:
    resolved_hub.upsert_record(
        "webshop",
        {"customer_id": "BK-4", "first_name": "Ole", "last_name": "Brandt", "zip": "24103"},
    )
    with resolved_hub.db.transaction() as cur:
        cur.execute("DELETE FROM source_records WHERE record_id = 'BK-4'")
    resolved_hub.resolve()
    assert not [k for k in _keys(resolved_hub) if k[1] == "webshop/BK-4"]

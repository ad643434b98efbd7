"""Real-time scoring evaluates the model's SQL conditions in Python; DuckDB runs them in batch.

A record must land on the same golden record whichever path judges it, so every condition
of the person model and the household guard must give the same answer in both, NULLs and
non-ASCII names included. Each case is evaluated by DuckDB over the same values.
"""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyhub.identity.matching.evaluate import (
    UnsupportedCondition,
    compile_condition,
    pair_values,
)
from journeyhub.identity.matching.model import MODEL_COLUMN_TYPES, person_settings
from journeyhub.identity.matching.rules import CONFLICT_COLUMNS, CONFLICT_SQL

CONDITIONS = [
    level["sql_condition"]
    for comparison in person_settings().get_settings("duckdb").as_dict()["comparisons"]
    for level in comparison["comparison_levels"]
    if level["sql_condition"].strip().upper() != "ELSE"
]

con = duckdb.connect()


def _duckdb_value(condition: str, values: dict[str, object]) -> object:
    """The condition's value computed by DuckDB, with ``values`` as typed columns."""
    names = list(values)
    columns = ", ".join(
        f'CAST(? AS {MODEL_COLUMN_TYPES[n.rsplit("_", 1)[0]]}) AS "{n}"' for n in names
    )
    return con.execute(f"SELECT ({condition}) FROM (SELECT {columns})", list(values.values())
                       ).fetchall()[0][0]  # fmt: skip


def _conflict_in_duckdb(left: dict[str, object], right: dict[str, object]) -> object:
    select = ", ".join(f"CAST(? AS VARCHAR) AS {c}" for c in CONFLICT_COLUMNS)
    return con.execute(
        f"SELECT {CONFLICT_SQL} FROM (SELECT {select}) l, (SELECT {select}) r",
        [*(left[c] for c in CONFLICT_COLUMNS), *(right[c] for c in CONFLICT_COLUMNS)],
    ).fetchall()[0][0]


names = st.sampled_from(
    ["anna", "anne", "hanna", "mueller", "muller", "müller", "lustberger", "jörg", "jorg",
     "dixon", "dickson", "martha", "marhta", "", None]
)  # fmt: skip
texts = st.one_of(st.none(), st.text(max_size=12), names)
dates = st.sampled_from(["1980-01-02", "1980-01-20", "1980-10-02", "1981-01-02", None])
emails = st.sampled_from(
    ["anna1@web.de", "anna2@web.de", "anna1@wbe.de", "ana1@web.de", "anna@web.de", None]
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, object]:
    birth_date = draw(dates)
    return {
        "given_key": draw(texts), "family_key": draw(texts), "birth_date": birth_date,
        "birth_year": int(birth_date[:4]) if birth_date else draw(st.sampled_from([1980, None])),
        "email_key": draw(emails), "phone": draw(st.sampled_from(["+4930123", "+4940123", None])),
        "phone_tail": draw(st.sampled_from(["123", "124", None])),
        "street_key": draw(st.one_of(st.none(), st.sampled_from(["hauptstr", "hauptstrasse"]))),
        "house_number": draw(st.sampled_from(["1", "1a", None])),
        "postcode": draw(st.sampled_from(["10115", "10117", None])),
        "national_id": draw(st.sampled_from(["12345678", "12345687", "87654321", None])),
    }  # fmt: skip


@pytest.mark.parametrize("condition", CONDITIONS)
@settings(max_examples=60, deadline=None)
@given(left=records(), right=records())
def test_every_model_condition_gives_what_duckdb_gives(condition, left, right):
    pair = pair_values(left, right, tuple(left))
    assert compile_condition(condition)(pair) == _duckdb_value(condition, pair)


@settings(max_examples=300, deadline=None)
@given(left=records(), right=records())
def test_the_household_guard_gives_what_duckdb_gives(left, right):
    pair = pair_values(left, right, CONFLICT_COLUMNS)
    assert compile_condition(CONFLICT_SQL)(pair) == _conflict_in_duckdb(left, right)


@settings(max_examples=300, deadline=None)
@given(a=st.text(max_size=15), b=st.text(max_size=15))
def test_string_similarities_equal_duckdbs_on_any_text(a, b):
    jw = compile_condition("jaro_winkler_similarity(x_l, x_r)")
    dl = compile_condition("damerau_levenshtein(x_l, x_r)")
    expected = con.execute(
        "SELECT jaro_winkler_similarity(?, ?), damerau_levenshtein(?, ?)", [a, b, a, b]
    ).fetchall()[0]
    assert (jw({"x_l": a, "x_r": b}), dl({"x_l": a, "x_r": b})) == pytest.approx(expected)


def test_three_valued_logic_follows_sql():
    unknown_or_true = compile_condition("a_l = a_r OR b_l = b_r")
    assert unknown_or_true({"a_l": None, "a_r": "x", "b_l": 1, "b_r": 1}) is True
    assert unknown_or_true({"a_l": None, "a_r": "x", "b_l": 1, "b_r": 2}) is None
    assert compile_condition("NOT (a_l = a_r)")({"a_l": None, "a_r": "x"}) is None
    assert compile_condition("coalesce(a_l = a_r, false)")({"a_l": None, "a_r": "x"}) is False


def test_sql_it_cannot_evaluate_is_refused_by_name():
    with pytest.raises(UnsupportedCondition, match=r"(?i)jaccard"):
        compile_condition("jaccard(a_l, a_r) >= 0.5")

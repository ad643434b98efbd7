"""The matching conditions, evaluated in Python for the few pairs of one real-time record.

Batch matching runs the model's SQL conditions (Splink's comparison levels, the household
guard) over millions of pairs in DuckDB. A single record has a handful of candidates, and
there DuckDB's planning is the cost: binding two kilobytes of CASE expressions takes longer
than scoring the pairs. So the same condition strings are compiled once, with sqlglot, into
Python functions that follow SQL's rules: three-valued logic (a NULL operand makes a
comparison unknown, and an unknown condition does not hold), and DuckDB's string functions
(``jaro_winkler_similarity`` and ``damerau_levenshtein`` via rapidfuzz, which DuckDB's own
implementation comes from). A condition using anything else raises
:class:`UnsupportedCondition`; tests hold both evaluations equal on the same values.

>>> holds = compile_condition('"a_l" = "a_r" AND jaro_winkler_similarity(b_l, b_r) >= 0.9')
>>> holds({"a_l": "x", "a_r": "x", "b_l": "martha", "b_r": "marhta"})
True
>>> holds({"a_l": None, "a_r": "x", "b_l": "martha", "b_r": "marhta"}) is None
True
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein
from sqlglot import exp, parse_one

Values = Mapping[str, Any]
Compiled = Callable[[Values], Any]


class UnsupportedCondition(ValueError):
    """A condition uses SQL this module does not evaluate."""


def compile_condition(sql: str) -> Compiled:
    """A function of a mapping of column values that gives the condition's SQL value (True,
    False or None for NULL). Columns are named as in the SQL (``"given_key_l"``); a column
    qualified by a table alias (``l.given_key``) is read as ``given_key_l``."""
    tree: Any = parse_one(sql, read="duckdb")
    return _compile(tree)


def pair_values(left: Values, right: Values, columns: tuple[str, ...]) -> dict[str, Any]:
    """The ``<column>_l`` / ``<column>_r`` mapping of two records, as the conditions read it."""
    values = {f"{c}_l": left.get(c) for c in columns}
    values.update({f"{c}_r": right.get(c) for c in columns})
    return values


def _jaro_winkler(a: str, b: str) -> float:
    # DuckDB scores a pair with an empty string 0 (rapidfuzz: two empty strings are equal)
    return JaroWinkler.similarity(a, b) if a and b else 0.0


def _regexp_replace(node: exp.RegexpReplace) -> Compiled:
    pattern: Any = node.expression
    replacement: Any = node.args.get("replacement")
    modifiers = node.args.get("modifiers")
    if not all(isinstance(n, exp.Literal) and n.is_string for n in (pattern, replacement)):
        raise UnsupportedCondition(f"regexp_replace needs literal pattern and replacement: {node}")
    flags = modifiers.this if isinstance(modifiers, exp.Literal) else ""
    if set(flags) - {"g"}:
        raise UnsupportedCondition(f"regexp_replace option {flags!r} is not supported: {node}")
    regex, repl, count = re.compile(pattern.this), replacement.this, 0 if "g" in flags else 1
    value = _compile(node.this)

    def replace(row: Values) -> Any:
        text = value(row)
        return None if text is None else regex.sub(repl, str(text), count=count)

    return replace


# SQL functions of two strings, by their DuckDB names
_FUNCTIONS: dict[str, Callable[[str, str], Any]] = {
    "jaro_winkler_similarity": _jaro_winkler,
    "damerau_levenshtein": DamerauLevenshtein.distance,
    "levenshtein": Levenshtein.distance,
}
# functions sqlglot parses into their own node types (others arrive as exp.Anonymous)
_NAMED_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.Levenshtein: "levenshtein",
    **({exp.JarowinklerSimilarity: "jaro_winkler_similarity"}
       if hasattr(exp, "JarowinklerSimilarity") else {}),
}  # fmt: skip
_COMPARISONS: dict[type[exp.Expression], Callable[[Any, Any], bool]] = {
    exp.EQ: operator.eq,
    exp.NEQ: operator.ne,
    exp.GT: operator.gt,
    exp.GTE: operator.ge,
    exp.LT: operator.lt,
    exp.LTE: operator.le,
}


def _compile(node: exp.Expression) -> Compiled:
    if isinstance(node, exp.Paren):
        return _compile(node.this)
    if isinstance(node, exp.Column):
        name = f"{node.name}_{node.table}" if node.table else node.name
        return lambda row: row[name]
    if isinstance(node, exp.Literal):
        constant: Any = node.this if node.is_string else _number(node.this)
        return lambda row: constant
    if isinstance(node, exp.Boolean):
        truth = bool(node.this)
        return lambda row: truth
    if isinstance(node, exp.Null):
        return lambda row: None
    if isinstance(node, exp.And | exp.Or):
        return _connective(node)
    if isinstance(node, exp.Not):
        inner = _compile(node.this)
        return lambda row: None if (v := inner(row)) is None else not v
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        value = _compile(node.this)
        return lambda row: value(row) is None
    if type(node) in _COMPARISONS:
        return _binary(_COMPARISONS[type(node)], node.this, node.expression)
    if isinstance(node, exp.Coalesce):
        options = [_compile(n) for n in (node.this, *node.expressions)]
        return lambda row: next((v for f in options if (v := f(row)) is not None), None)
    if isinstance(node, exp.RegexpReplace):
        return _regexp_replace(node)
    if type(node) in _NAMED_FUNCTIONS and not node.args.get("ins_cost"):
        return _call(_NAMED_FUNCTIONS[type(node)], [node.this, node.expression])
    if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
        return _call(node.name.lower(), node.expressions)
    raise UnsupportedCondition(f"cannot evaluate {node.sql('duckdb')!r} in Python")


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _connective(node: exp.And | exp.Or) -> Compiled:
    left, right = _compile(node.this), _compile(node.expression)
    decisive = isinstance(node, exp.Or)  # the operand value that settles the result

    def evaluate(row: Values) -> Any:
        a = left(row)
        if a is decisive:
            return decisive
        b = right(row)
        if b is decisive:
            return decisive
        return None if a is None or b is None else not decisive

    return evaluate


def _binary(op: Callable[[Any, Any], bool], left_node: exp.Expression,
            right_node: exp.Expression) -> Compiled:  # fmt: skip
    left, right = _compile(left_node), _compile(right_node)

    def compare(row: Values) -> bool | None:
        a, b = left(row), right(row)
        return None if a is None or b is None else op(a, b)

    return compare


def _call(name: str, arg_nodes: list[exp.Expression]) -> Compiled:
    if len(arg_nodes) != 2:
        raise UnsupportedCondition(f"{name} takes two arguments here, not {len(arg_nodes)}")
    function = _FUNCTIONS[name]
    left, right = (_compile(n) for n in arg_nodes)

    def call(row: Values) -> Any:
        a, b = left(row), right(row)
        return None if a is None or b is None else function(str(a), str(b))

    return call

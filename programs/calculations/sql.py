"""SQL spellings for set-based amount forms (`SetForm`): money in whole fen, facts from the stored quote.

Amounts are computed in whole fen (分) as integers, so neither SQLite's REAL arithmetic nor PostgreSQL's numeric
scale changes a result: the same half-up rounding the Python quote applies (ROUNDING_RULE) is taken once,
on figures already rounded to the fen.
"""

from django.db import connection


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def json_number(column: str, key: str) -> str:
    """A top-level number (or numeric string) of a JSON column, NULL when absent."""
    if _postgres():
        return f"CAST({column} ->> '{key}' AS numeric)"
    return f"CAST(json_extract({column}, '$.{key}') AS NUMERIC)"


def json_text(column: str, path: str) -> str:
    """A text value at a dotted path of a JSON column ("inputs.care_level"), NULL when absent."""
    if _postgres():
        return f"({column} #>> '{{{path.replace('.', ',')}}}')"
    return f"json_extract({column}, '$.{path}')"


def fen(expr: str) -> str:
    """A yuan amount → whole fen, rounded half up (half away from zero, the same for amounts ≥ 0)."""
    return f"CAST(ROUND({expr} * 100) AS BIGINT)"


def yuan(fen_expr: str) -> str:
    """Whole fen → yuan with two decimals."""
    if _postgres():
        return f"ROUND(CAST({fen_expr} AS numeric) / 100, 2)"
    return f"ROUND(({fen_expr}) / 100.0, 2)"


def greatest(*exprs: str) -> str:
    return ("GREATEST(" if _postgres() else "MAX(") + ", ".join(exprs) + ")"

"""Divisions outside the district's tree (全国区县名称): names for a 户籍地 code that may lie anywhere in the
country, and a search by name for the 户籍地 picker.

The area tree (`areas.models.Area`) holds only the district's own divisions, so a 户籍地 elsewhere is named from
`data/counties-2023.csv` (every 区县, 2978 rows, read once per process). A code below 区县 level outside the
district is named by its 区县 (the file has no 乡镇).
"""

import csv
from functools import cache
from pathlib import Path

from areas.models import Area, AreaLevel

COUNTIES_CSV = Path(__file__).parent / "data" / "counties-2023.csv"


@cache
def _counties() -> dict[str, str]:
    with COUNTIES_CSV.open(encoding="utf-8") as file:
        return {row["code"]: row["name"] for row in csv.DictReader(file)}


def division_name(code: str) -> str:
    """The name of a 6-, 9- or 12-digit division code as a person reads it ("" when unknown): a division of the
    district's tree by its path (区县 + 镇街 + 村社区), any other by its 区县's full name."""
    code = (code or "").strip().ljust(12, "0")
    county = _counties().get(code[:6], "")
    chain, area = [], Area.objects.filter(code=code).select_related("parent__parent").first()
    while area is not None:
        chain.insert(0, area.name)
        area = area.parent if area.level != AreaLevel.DISTRICT else None
    if not chain:
        return county
    return (county.removesuffix(chain[0]) if county.endswith(chain[0]) else "") + "".join(chain)


def division_search(query: str, limit: int = 10) -> list[tuple[str, str]]:
    """区县 whose full name contains every word of the query, or its characters in order ("四川 武侯", "成都武侯"),
    or whose code starts with it: [(12-digit code, name)], exact word matches first, then shorter names."""
    words = query.split()
    if not words:
        return []
    rows = _counties().items()
    if query.strip().isdigit():
        found = [(code, name) for code, name in rows if code.startswith(query.strip()[:6])]
    else:
        found = [(code, name) for code, name in rows if all(_contains(name, w) for w in words)]
    exact = {code for code, name in found if all(w in name for w in words)}
    found.sort(key=lambda r: (r[0] not in exact, len(r[1]), r[0]))
    return [(code.ljust(12, "0"), name) for code, name in found[:limit]]


def _contains(name: str, word: str) -> bool:
    """Each character of `word` appears in `name` in order ("成都武侯" finds 四川省成都市武侯区)."""
    position = 0
    for char in word:
        position = name.find(char, position) + 1
        if position == 0:
            return False
    return True

"""The desk (工作台) on the home page: what is this user's to do, at their level, by deadline.

The desk is a toolkit: the apps that own the data contribute its blocks (`desk_block`) and the reader's overview
figures (`desk_overview`), each in its own `desk.py`, registered when the app is ready — so `web` imports no domain.
Every block is chosen by capability (a grant, the user's level, the states their grants act on), never by role
name, and reads through the area-scoped selectors. Each block costs one or two indexed queries: a grouped count
and a list of at most `LIST_SIZE` rows (rendered by the block's own row template) with a link to the full page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from accounts.policy import grants_of
from casework import clock
from casework.selectors import user_level

LIST_SIZE = 10
WEEK = 7


@dataclass
class Block:
    """One block of the desk: headline figures, a short list (each row drawn by `row_template`), and where the
    full list is."""

    key: str
    title: str
    row_template: str = ""
    figures: list[tuple[str, int, str]] = field(default_factory=list)  # (label, number, tone)
    rows: list = field(default_factory=list)
    more_url: str = ""
    more_label: str = "查看全部"
    empty: str = "暂无"
    note: str = ""


BlockFn = Callable[[object, date], Block | None]
OverviewFn = Callable[[object, date], dict]
_BLOCKS: list[tuple[int, BlockFn]] = []
_OVERVIEW: list[OverviewFn] = []


def desk_block(order: int) -> Callable[[BlockFn], BlockFn]:
    """Register `fn(user, today) -> Block | None` as a desk block; blocks show in `order`."""
    def register(fn: BlockFn) -> BlockFn:
        if fn not in [f for _, f in _BLOCKS]:
            _BLOCKS.append((order, fn))
            _BLOCKS.sort(key=lambda pair: pair[0])
        return fn
    return register


def desk_overview(fn: OverviewFn) -> OverviewFn:
    """Register `fn(user, today) -> dict` as a contributor of the reader's area figures (keys the home page
    shows: cases_open, cases_overdue, warnings_open; "programs" for the figures by programme)."""
    if fn not in _OVERVIEW:
        _OVERVIEW.append(fn)
    return fn


def _is_reader(user) -> bool:
    grants = grants_of(user)
    return bool(grants) and all(action == "view" for _, action in grants) and user_level(user) != "community"


def area_overview(user, today: date) -> dict | None:
    """辖区概况 for a reader (a user whose grants only view): the key figures of their area."""
    if not _is_reader(user):
        return None
    figures: dict = {}
    for contribute in _OVERVIEW:
        figures.update(contribute(user, today))
    programs = figures.pop("programs", [])
    return {"figures": figures, "programs": programs}


def desk_for(user) -> dict:
    today = clock.today()
    blocks = [fn(user, today) for _, fn in _BLOCKS]
    return {"blocks": [b for b in blocks if b is not None], "overview": area_overview(user, today), "today": today}

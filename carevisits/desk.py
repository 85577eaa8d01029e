"""Desk block of 探访关爱: for whoever visits (grant carevisit/add), the people on the roster not yet reached this
week in their area, and the open water-meter alarms; two indexed queries and a short list."""

from datetime import date

from django.urls import reverse

from accounts.policy import allowed
from carevisits.selectors import Week, alerts_visible, not_reached, snapshot_cells
from web.desk import LIST_SIZE, Block, desk_block

ROW = "carevisits/_desk_row.html"


def _unreached_count(user, week: Week, waiting) -> int:
    """本周未探访到 in the user's area: added up from the week's compliance cells, which every visit rewrites for its
    community and the nightly roster refresh for the whole district; counted live only before the week has any.
    A district's roster is ~200,000 people: the live anti-join took 35–70 ms of the district officer's home page."""
    cells = snapshot_cells(user, week)
    if cells is None:
        return waiting.order_by().count()
    return sum(cell["unreached"] for cell in cells)


@desk_block(75)
def not_visited_this_week(user, today: date) -> Block | None:
    """本周待探访: people on the roster with no reached visit or call yet this week."""
    if not allowed(user, "carevisit", "add"):
        return None
    week = Week.of(today)
    waiting = not_reached(user, week)
    rows = list(waiting.select_related("person", "area").order_by("pk")[:LIST_SIZE])
    count = len(rows) if len(rows) < LIST_SIZE else _unreached_count(user, week, waiting)
    block = Block("carevisits", "本周待探访的老年人", row_template=ROW, rows=rows, empty="本周名册人员均已探访到",
                  more_url=reverse("carevisits-not-reached"), more_label="查看全部待探访")
    alarms = alerts_visible(user).filter(resolved_at__isnull=True).order_by().count()
    block.figures = [("本周未探访到", count, "warning"), ("水表告警未恢复", alarms, "danger")]
    return block

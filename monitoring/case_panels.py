"""信息核对 beside the department records: what the monitoring feeds hold about the case's household (each record
with its source, date and content), so the officer checks against data, not bare checkboxes."""

from assistance.case_panels import case_panel
from monitoring.chain import payload_text
from monitoring.feeds import FEED_TYPES
from monitoring.selectors import dept_records_visible

LIMIT = 50


@case_panel("verify")
def household_dept_records(user, case) -> dict | None:
    if case.household_id is None and case.person_id is None:
        return None
    people = ([m.person_id for m in case.household.members.filter(is_active=True)] if case.household_id
              else [case.person_id])
    rows = list(dept_records_visible(user).filter(person_id__in=people).select_related("person", "batch")
                .order_by("-event_date", "-id")[:LIMIT + 1])
    records = []
    for r in rows[:LIMIT]:
        feed = FEED_TYPES.get(r.feed_type)
        records.append({"source": f"{feed.department} · {feed.name}" if feed else "部门数据", "person": r.person.name,
                        "date": r.event_date, "received": r.batch.created_at, "period": r.period,
                        "content": payload_text(feed, r.payload)})
    return {"template": "monitoring/_case_dept_records.html", "records": records, "more": len(rows) > LIMIT}

"""Registry facts fed by department data (部门数据更新人员情况): 婚姻登记 → 婚姻状况, 户籍变动 → 户籍地,
重特大疾病患者 → 重特大疾病 with its 确诊日期. The registry's bulk service keeps the history rule (a new value
closes the open one the day before; a record dated before the open fact changes nothing).

户籍迁出 gives the destination's code; 迁入 and 出生登记 carry no code of their own, so the 户籍地 recorded is the
person's registered community in the district (the feed is the district's own 公安 data)."""

from registry.facts import FactInput, person_facts_record_bulk
from registry.models import MaritalStatus, PersonFact

Kind = PersonFact.Kind
MARITAL_BY_KIND = {"marriage": MaritalStatus.MARRIED, "remarriage": MaritalStatus.MARRIED,
                   "divorce": MaritalStatus.DIVORCED}
FACT_FEEDS = ("marriage", "hukou", "serious_illness")


def _fact(record) -> FactInput | None:
    payload = record.payload
    if record.feed_type == "marriage" and payload.get("kind") in MARITAL_BY_KIND:
        return FactInput(record.person_id, Kind.MARITAL, MARITAL_BY_KIND[payload["kind"]], record.event_date)
    if record.feed_type == "hukou":
        change = payload.get("change_type")
        if change == "move_out" and payload.get("destination_code"):
            return FactInput(record.person_id, Kind.HUKOU_PLACE, payload["destination_code"], record.event_date)
        if change in ("move_in", "birth"):
            return FactInput(record.person_id, Kind.HUKOU_PLACE, record.area_id, record.event_date)
    if record.feed_type == "serious_illness" and payload.get("disease"):
        return FactInput(record.person_id, Kind.SERIOUS_ILLNESS, payload["disease"], record.event_date,
                         diagnosed_on=record.event_date)
    return None


def facts_from_feed(*, feed_batch, acting_user) -> dict[str, int]:
    """Record the facts a committed feed batch carries (its matched records only)."""
    from monitoring.feeds import feed_type_get
    from monitoring.models import DeptRecord

    if feed_batch.feed_type not in FACT_FEEDS:
        return {"recorded": 0, "skipped": 0}
    records = (DeptRecord.objects.filter(batch=feed_batch, person__isnull=False)
               .only("feed_type", "person_id", "area_id", "event_date", "payload").order_by("event_date", "id"))
    items = [fact for fact in map(_fact, records.iterator(chunk_size=2000)) if fact is not None]
    return person_facts_record_bulk(items=items, source=f"部门数据：{feed_type_get(feed_batch.feed_type).name}",
                                    acting_user=acting_user)

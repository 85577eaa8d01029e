"""Person facts with history (人员情况): 户籍地, 婚姻状况, 劳动能力, 就业状况, 重特大疾病 — recorded through the
service, read as of a date, imported through the staged import, fed by the department feeds."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import ChangeLog, DomainEvent
from registry.facts import (
    FactInput,
    chongqing_hukou_ids,
    fact_on,
    has_chongqing_hukou,
    has_serious_illness,
    person_fact_end,
    person_fact_record,
    person_facts_record_bulk,
)
from registry.models import PersonFact

pytestmark = pytest.mark.django_db
Kind = PersonFact.Kind


def test_hukou_moving_out_of_chongqing_keeps_the_history(registry_data, personas):
    officer, person = personas["district_officer"], registry_data["a1"]
    first = person_fact_record(acting_user=officer, person=person, kind=Kind.HUKOU_PLACE, value="500106001",
                               valid_from=date(2020, 1, 1))
    assert first.value == "500106001000"  # a town code padded to 12 digits
    person_fact_record(acting_user=officer, person=person, kind=Kind.HUKOU_PLACE, value="510104",
                       valid_from=date(2026, 3, 1))
    first.refresh_from_db()
    assert first.valid_to == date(2026, 2, 28)  # closed the day before the new one
    assert has_chongqing_hukou(person, date(2026, 2, 28))
    assert not has_chongqing_hukou(person, date(2026, 3, 1))
    assert not has_chongqing_hukou(person, date(2019, 12, 31))  # nothing recorded then
    assert chongqing_hukou_ids([person.pk, registry_data["a2"].pk], date(2025, 6, 1)) == {person.pk}
    logs = ChangeLog.objects.filter(model="registry.personfact", object_id=str(first.pk))
    logs = logs.values_list("action", flat=True)
    assert sorted(logs) == ["create", "update"]
    assert DomainEvent.objects.filter(person=person, type="person_fact_recorded").count() == 2


@pytest.mark.parametrize("value", ["5001", "000000000000", "5000000", "abc123", "500000000000"])
def test_a_bad_hukou_code_names_the_field(registry_data, personas, value):
    with pytest.raises(ValidationError) as exc:
        person_fact_record(acting_user=personas["district_officer"], person=registry_data["a1"],
                           kind=Kind.HUKOU_PLACE, value=value, valid_from=date(2026, 1, 1))
    assert "value" in exc.value.message_dict
    assert not PersonFact.objects.exists()


def test_a_marital_status_by_its_label_and_the_same_value_again_changes_nothing(registry_data, personas):
    officer, person = personas["district_officer"], registry_data["a1"]
    fact = person_fact_record(acting_user=officer, person=person, kind=Kind.MARITAL, value="已婚",
                              valid_from=date(2010, 5, 1))
    again = person_fact_record(acting_user=officer, person=person, kind=Kind.MARITAL, value="married",
                               valid_from=date(2026, 1, 1))
    assert (fact.value, again.pk) == ("married", fact.pk)
    assert str(fact) == "婚姻状况：已婚"
    with pytest.raises(ValidationError):
        person_fact_record(acting_user=officer, person=person, kind=Kind.MARITAL, value="订婚",
                           valid_from=date(2026, 1, 1))


def test_an_earlier_date_than_the_open_fact_is_refused(registry_data, personas):
    officer, person = personas["district_officer"], registry_data["a1"]
    person_fact_record(acting_user=officer, person=person, kind=Kind.LABOUR, value="able", valid_from=date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        person_fact_record(acting_user=officer, person=person, kind=Kind.LABOUR, value="none",
                           valid_from=date(2024, 1, 1))
    assert "valid_from" in exc.value.message_dict


def test_serious_illness_needs_its_diagnosis_date_and_ends(registry_data, personas):
    officer, person = personas["district_officer"], registry_data["a1"]
    with pytest.raises(ValidationError) as exc:
        person_fact_record(acting_user=officer, person=person, kind=Kind.SERIOUS_ILLNESS, value="恶性肿瘤",
                           valid_from=date(2026, 1, 1))
    assert "diagnosed_on" in exc.value.message_dict
    fact = person_fact_record(acting_user=officer, person=person, kind=Kind.SERIOUS_ILLNESS, value="恶性肿瘤",
                              valid_from=date(2026, 1, 5), diagnosed_on=date(2026, 1, 5))
    assert has_serious_illness(person, date(2026, 2, 1)) and not has_serious_illness(person, date(2026, 1, 4))
    person_fact_end(acting_user=officer, fact=fact, on=date(2026, 6, 30), reason="治愈")
    assert not has_serious_illness(person, date(2026, 7, 1))
    assert fact_on(person, Kind.SERIOUS_ILLNESS, date(2026, 6, 30)) == fact


def test_grants_and_area_are_checked(registry_data, personas):
    with pytest.raises(PermissionDenied):  # a reviewer reads only
        person_fact_record(acting_user=personas["town_reviewer"], person=registry_data["a1"], kind=Kind.MARITAL,
                           value="已婚", valid_from=date(2026, 1, 1))
    with pytest.raises(PermissionDenied):  # another town's officer
        person_fact_record(acting_user=personas["outsider"], person=registry_data["a1"], kind=Kind.MARITAL,
                           value="已婚", valid_from=date(2026, 1, 1))


def test_bulk_skips_resent_and_late_facts(registry_data, personas):
    person = registry_data["a1"]
    items = [FactInput(person.pk, Kind.MARITAL, "married", date(2026, 1, 10)),
             FactInput(person.pk, Kind.MARITAL, "married", date(2026, 1, 12)),  # the same again
             FactInput(person.pk, Kind.MARITAL, "divorced", date(2026, 5, 1)),
             FactInput(person.pk, Kind.EMPLOYMENT, "坐牢", date(2026, 5, 1))]  # not a value: skipped
    assert person_facts_record_bulk(items=items, source="测试", acting_user=None) == {"recorded": 2, "skipped": 2}
    assert fact_on(person, Kind.MARITAL, date(2026, 4, 30)).value == "married"
    assert fact_on(person, Kind.MARITAL, date(2026, 5, 1)).value == "divorced"


def test_the_person_page_shows_and_records_facts(client, registry_data, personas):
    client.force_login(personas["district_officer"])
    person = registry_data["a1"]
    response = client.post(f"/persons/{person.pk}/facts/", {"kind": "hukou_place", "value": "510104",
                                                            "valid_from": "2026-02-01"})
    assert response.status_code == 302
    page = client.get(f"/persons/{person.pk}/").content.decode()
    facts = page.split("person-facts")[1][:2000]
    assert "户籍地：四川省成都市锦江区" in facts  # by its name, never the code alone
    assert "510104" not in facts and "hukou_place" not in facts
    bad = client.post(f"/persons/{person.pk}/facts/", {"kind": "marital", "value": "订婚", "valid_from": "2026-02-01"})
    assert bad.status_code == 200 and "婚姻状况应为" in bad.content.decode()


def _facts_file(rows: list[list[str]]) -> bytes:
    from tests.imports.helpers import to_csv

    headers = ["身份证号", "姓名", "起始日期", "户籍地代码", "婚姻状况", "劳动能力", "就业状况", "重特大疾病",
               "确诊日期"]
    return to_csv(rows, headers=headers)


def test_the_staged_import_records_facts(registry_data, personas, django_capture_on_commit_callbacks):
    from imports.services import import_batch_commit, import_batch_stage

    officer, a1, a2 = personas["district_officer"], registry_data["a1"], registry_data["a2"]
    content = _facts_file([
        [a1.id_number, "张三", "2026-01-01", "500106", "已婚", "有劳动能力", "灵活就业", "", ""],
        [a2.id_number, "李四", "2026-01-01", "", "", "无劳动能力", "", "尿毒症", "2025-11-02"],
        [a2.id_number[:-1] + "0", "某人", "2026-01-01", "500106", "", "", "", "", ""],
        [registry_data["b1"].id_number, "错名", "2026-01-01", "500106", "", "", "", "", ""],
    ])
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_stage(acting_user=officer, schema="person_facts", filename="情况.csv", content=content)
    batch.refresh_from_db()
    assert (batch.good_rows, batch.bad_rows) == (2, 2), batch.error
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_commit(acting_user=officer, batch=batch)
    assert has_chongqing_hukou(a1, date(2026, 1, 1))
    assert fact_on(a1, Kind.EMPLOYMENT, date(2026, 3, 1)).value == "flexible"
    illness = fact_on(a2, Kind.SERIOUS_ILLNESS, date(2026, 3, 1))
    assert (illness.value, illness.diagnosed_on, illness.source) == ("尿毒症", date(2025, 11, 2), "导入")


def test_marriage_and_hukou_feeds_update_the_facts(registry_data, personas, django_capture_on_commit_callbacks):
    from monitoring.services import feed_batch_upload
    from tests.monitoring.conftest import feed_csv

    a1, a2 = registry_data["a1"], registry_data["a2"]
    def run(feed, rows):
        with django_capture_on_commit_callbacks(execute=True):
            feed_batch_upload(acting_user=personas["district_officer"], feed_type=feed, filename=f"{feed}.csv",
                              content=feed_csv(feed, rows), period="2026-01")

    run("marriage", [{"id_number": a1.id_number, "name": "张三", "event_date": "2026-01-08", "kind": "离婚"}])
    run("hukou", [{"id_number": a2.id_number, "name": "李四", "event_date": "2026-01-20", "change_type": "迁出",
                   "destination_code": "510104"}])
    assert fact_on(a1, Kind.MARITAL, date(2026, 1, 8)).value == "divorced"
    assert not has_chongqing_hukou(a2, date(2026, 1, 20))
    assert fact_on(a2, Kind.HUKOU_PLACE, date(2026, 1, 20)).source == "部门数据：户籍变动"

"""The feeds added for RULES.md §6's remaining sources: 户籍变动, 重特大疾病, 防止返贫监测对象, 婚姻登记, 火化（殡葬）.

Each: a good row is kept with its payload in codes; a bad cell is an error of that row naming the column. The
rules are switched off here so only the validation and the storing are under test."""

import pytest

from imports.models import StagedRow
from monitoring.feeds import FEED_TYPES
from monitoring.models import DeptRecord, FeedBatch, Rule

NEW_FEEDS = ("hukou", "serious_illness", "relapse_watch", "marriage", "funeral")

# feed → (good payload cells, the payload stored, a bad cell, the header its error must name)
CASES = {
    "hukou": ({"change_type": "户口迁出", "destination_code": "500103", "destination": "渝中区"},
              {"change_type": "move_out", "destination_code": "500103", "destination": "渝中区"},
              {"change_type": "迁徙"}, "变动类型"),
    "serious_illness": ({"disease": "恶性肿瘤", "icd10": "c34.9", "hospital": "新桥医院"},
                        {"disease": "恶性肿瘤", "icd10": "C34.9", "hospital": "新桥医院"},
                        {"disease": "恶性肿瘤", "icd10": "34C"}, "疾病编码（ICD-10）"),
    "relapse_watch": ({"monitor_kind": "突发严重困难户", "risk_status": "风险未消除", "risk_cause": "因病"},
                      {"monitor_kind": "sudden", "risk_status": "at_risk", "risk_cause": "illness"},
                      {"monitor_kind": "突发严重困难户", "risk_status": "不知道"}, "风险状态"),
    "marriage": ({"kind": "结婚", "certificate": "J500106-2026-001", "spouse_name": "某某"},
                 {"kind": "marriage", "certificate": "J500106-2026-001", "spouse_name": "某某"},
                 {"kind": "订婚"}, "登记类型"),
    "funeral": ({"cremated_on": "2026-01-18", "certificate": "HH2026000123", "service_kind": "火化"},
                {"cremated_on": "2026-01-18", "certificate": "HH2026000123", "service_kind": "cremation"},
                {"cremated_on": "昨天", "certificate": "HH2026000124"}, "火化日期"),
}


@pytest.fixture
def quiet_rules(db):
    Rule.objects.update(active=False)


def test_every_new_feed_is_declared_with_department_and_description():
    for code in NEW_FEEDS:
        feed = FEED_TYPES[code]
        assert feed.department and feed.description and feed.name
        assert all(c.header for c in feed.columns)
    assert FEED_TYPES["pension"].name == "养老金及工资发放"  # 人社 pensions and salaries: one feed already


@pytest.mark.parametrize("code", NEW_FEEDS)
def test_good_row_kept_bad_cell_named_by_row_and_column(code, people, upload, quiet_rules):
    good, stored, bad, header = CASES[code]
    person = people["a1"]
    base = {"id_number": person.id_number, "name": person.name, "event_date": "2026-01-15"}
    batch = upload(code, [{**base, **good}, {**base, "event_date": "2026-01-16", **bad}])
    assert batch.status == FeedBatch.Status.DONE and batch.records_kept == 1
    record = DeptRecord.objects.get(feed_type=code)
    assert record.person == person and record.payload == stored and str(record.event_date) == "2026-01-15"
    error = StagedRow.objects.get(batch=batch.import_batch, status=StagedRow.Status.ERROR)
    assert error.row_number == 3 and f"「{header}」" in error.error_text


@pytest.mark.parametrize("code", NEW_FEEDS)
def test_required_cells_are_required(code, people, upload, quiet_rules):
    feed = FEED_TYPES[code]
    required = [c for c in feed.columns if c.required]
    assert required, "each new feed says what it must carry"
    person = people["b1"]
    batch = upload(code, [{"id_number": person.id_number, "name": person.name, "event_date": "2026-01-15"}])
    row = StagedRow.objects.get(batch=batch.import_batch)
    assert row.status == StagedRow.Status.ERROR
    assert all(c.header in row.error_text for c in required)
    assert batch.records_kept == 0


def test_area_code_and_event_date_are_checked(people, upload, quiet_rules):
    person = people["a2"]
    batch = upload("hukou", [
        {"id_number": person.id_number, "name": person.name, "event_date": "2999-01-01", "change_type": "迁出"},
        {"id_number": person.id_number, "name": person.name, "event_date": "2026-01-01", "change_type": "迁出",
         "destination_code": "5001"},
    ])
    errors = {r.row_number: r.error_text for r in StagedRow.objects.filter(batch=batch.import_batch)}
    assert "「变动日期」不能晚于今天" in errors[2]
    assert "「迁往地区划代码」应为6位区县代码" in errors[3]

"""The set-based path (集合式校验与保存) agrees with the per-row rules: the SQL check digit and birth date with
registry.identity.parse_id_number, the name keys with registry.names.name_keys, and whole files row by row."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection

from imports import pipeline
from imports.models import StagedRow
from imports.schemas.persons_households_sql import DIGITS_FROM, DIGITS_TO, fast_name_keys, id_number_error
from minzheng.sql import Sql
from registry.identity import InvalidIdNumber, parse_id_number
from registry.models import Person
from registry.names import name_keys
from tests.conftest import make_id
from tests.imports.helpers import family, row, to_csv

pytestmark = pytest.mark.django_db


def _numbers() -> list[str]:
    """A few hundred valid and invalid numbers: X check digits, wrong digits, impossible and future dates."""
    rng = random.Random(11643)
    numbers = []
    for _ in range(150):
        birth = date(1900, 1, 1) + timedelta(days=rng.randrange(45000))
        valid = make_id("500106", birth.strftime("%Y%m%d"), rng.randrange(1000), sex_odd=rng.random() < 0.5)
        numbers.append(valid)
        numbers.append(valid[:17] + rng.choice([d for d in "0123456789X" if d != valid[17]]))
    numbers += [n for n in numbers if n.endswith("X")][:5]
    for birth in ("19800230", "19801301", "19000229", "20000229", "19960229", "18790101", "18800101", "19800100",
                  "19800431", "20991231", (date.today() + timedelta(days=1)).strftime("%Y%m%d"),
                  date.today().strftime("%Y%m%d")):
        numbers += [make_id("500106", birth, seq, sex_odd=seq % 2 == 1) for seq in range(3)]
    numbers += ["50010619800101001", "5001061980010100123", "50010619800101001A", "5001061980010100x1",
                "50010619800101001x", "A00106198001010011", "５００１０６１９８００１０１００１５"]
    return numbers


def _expected(number: str) -> str | None:
    try:
        parse_id_number(number)
    except InvalidIdNumber as exc:
        return str(exc)
    return None


def test_sql_check_digit_and_birth_date_agree_with_parse_id_number():
    sql = Sql()
    check = id_number_error(sql, "idc", date.today())
    compact = f"upper({sql.translate('v', DIGITS_FROM, DIGITS_TO)})"
    numbers = _numbers()
    assert len(numbers) > 300
    assert any(n.endswith("X") and _expected(n) is None for n in numbers)  # valid X check digits are in it
    wrong = []
    for number in numbers:
        (found,) = sql.rows(f"SELECT {check} FROM (SELECT {compact} AS idc FROM (SELECT %s AS v) x) t", [number])[0]
        if found != _expected(number):
            wrong.append((number, found, _expected(number)))
    assert wrong == []


def test_fast_name_keys_equal_name_keys():
    names = ["张三", "王芳", "单田芳", "曾小贤", "长孙无忌", "朴重", "重庆人", "乐嘉", "阿依古丽·买买提", "Tom张",
             "解放", "区长", "尉迟恭", "行长", "银行家", "覃", "居民1之0", "仇重阳", "查理", "缪长乐"]
    rng = random.Random(5)
    common = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国长乐重行朝阳和平正红单"
    names += [rng.choice(common) + "".join(rng.choice(given) for _ in range(rng.randint(1, 2))) for _ in range(2000)]
    assert [fast_name_keys(n) for n in names] == [name_keys(n) for n in names]


def _varied_file(areas, registry_data) -> bytes:
    """Every kind of row the rules tell apart, in one file."""
    same = make_id("500106", "19800101", 7)
    rows = family("H1", areas["community_a"], 1) + family("H2", areas["community_a"], 2, size=2)
    rows[3][2] = rows[3][2][:-1] + ("0" if rows[3][2][-1] != "0" else "1")  # H2: bad head
    rows += family("H3", areas["community_a"], 3)
    rows[-2][4] = "户主"  # H3: two heads
    rows += family("H4", areas["community_a"], 4, size=2)
    rows[-1][5] = areas["community_a2"]  # H4: two areas
    rows += [row("H5", "甲", same, area=areas["community_a"]), row("H6", "乙", same, area=areas["community_a"]),
             row("H7", "丙", make_id("500106", "19800230", 1), area=areas["community_a"], phone="1-2"),
             row("H8", "丁", "", area="500106999999", hukou="外星"),
             row("H9", "戊", make_id("500106", "19900101", 3), relation="邻居", area=areas["town_a"]),
             row("X" * 41, "己", make_id("500106", "19900101", 4), area=areas["community_a"]),
             row("", "", "", area="5001"),
             # (the same number twice AND registered: the set-based path names the mismatch on both rows, the
             # per-row path on one only — so the mismatch here is on b1, who is not in the file otherwise)
             row("H10", "不是王五", registry_data["b1"].id_number, area=areas["community_a"]),
             row("H11", "张三", registry_data["a1"].id_number, area=areas["community_a"]),
             row("H11", "张小三", make_id("500106", "20150505", 5), relation="子女", area=areas["community_a"]),
             row("H12", "李四", registry_data["a2"].id_number, area=areas["community_a"]),
             row("H12", "李小四", make_id("500106", "20150505", 6), relation="子女", area=areas["community_a"]),
             row("H13", "赵六", make_id("500106", "19700101", 8), area=areas["community_a"], phone="138 0000 0000"),
             row("H13", "小宝", "", relation="子女", area=areas["community_a"], no_id="NEWBORN"),
             row("H13", "小小宝", "", relation="子女", area=areas["community_a"], no_id="没带")]
    return to_csv(rows)


def _rows(batch) -> list[tuple]:
    return [(r.row_number, r.status, r.errors, {k: v for k, v in r.clean.items() if v is not None}, r.data,
             r.dedup_key, r.group_key) for r in StagedRow.objects.filter(batch=batch).order_by("row_number")]


def test_set_based_validation_equals_the_per_row_path(stage, areas, registry_data, monkeypatch):
    content = _varied_file(areas, registry_data)
    fast = stage(content)
    monkeypatch.setattr(pipeline, "SET_BASED", False)
    slow = stage(content, filename="again.csv")
    assert _rows(fast) == _rows(slow)
    assert (fast.good_rows, fast.bad_rows, fast.skipped_existing) == (slow.good_rows, slow.bad_rows,
                                                                      slow.skipped_existing)
    assert fast.bad_rows > 10 and fast.good_rows > 5 and fast.skipped_existing == 1


def _written(marks: dict) -> dict:
    """What a commit wrote (rows above the marks), without ids and timestamps."""
    from audit.models import ChangeLog, DomainEvent
    from registry.models import Household, HouseholdMember

    people = sorted((p.name, p.id_number, p.no_id_reason, p.sex, str(p.birth_date), p.phone, p.name_pinyin,
                     p.name_initials, p.area_id, p.status) for p in Person.objects.filter(pk__gt=marks[Person]))
    homes = sorted((h.area_id, h.hukou_type, h.address, h.status,
                    tuple(sorted((m.person.name, m.relation, m.area_id, m.is_active, str(m.joined_on))
                                 for m in h.members.all())))
                   for h in Household.objects.filter(pk__gt=marks[Household]))
    joined = sorted((m.household_id, m.person.name) for m in HouseholdMember.objects.filter(
        pk__gt=marks[HouseholdMember], household_id__lte=marks[Household]))
    drop = {"id", "created_at", "updated_at", "person_id", "household_id"}
    logs = sorted((c.model, c.source, c.user_id, c.action, c.before,
                   sorted((k, str(v)) for k, v in c.after.items() if k not in drop))
                  for c in ChangeLog.objects.filter(pk__gt=marks[ChangeLog]))
    events = sorted((e.type, e.user_id, e.params["members"], e.params["file"])
                    for e in DomainEvent.objects.filter(pk__gt=marks[DomainEvent]))
    return {"people": people, "homes": homes, "joined": joined, "logs": logs, "events": events}


def _marks() -> dict:
    from django.db.models import Max

    from audit.models import ChangeLog, DomainEvent
    from registry.models import Household, HouseholdMember

    return {m: m.objects.aggregate(top=Max("pk"))["top"] or 0
            for m in (Person, Household, HouseholdMember, ChangeLog, DomainEvent)}


def _undo(marks: dict) -> None:
    from audit.models import ChangeLog, DomainEvent
    from registry.models import Household, HouseholdMember

    for model in (DomainEvent, ChangeLog, HouseholdMember, Household, Person):
        model.objects.filter(pk__gt=marks[model]).delete()


def test_set_based_commit_writes_what_the_per_row_path_writes(stage, commit, areas, registry_data, monkeypatch):
    content = _varied_file(areas, registry_data)
    marks = _marks()
    fast = commit(stage(content))
    assert fast.status == "committed", fast.error
    fast_written = _written(marks)
    _undo(marks)
    monkeypatch.setattr(pipeline, "SET_BASED", False)
    slow = commit(stage(content + b"\n"))  # other bytes: not a re-upload of the same file
    assert _written(marks) == fast_written
    assert fast.summary == slow.summary and fast.committed_rows == slow.committed_rows > 5
    assert fast_written["joined"]  # a new member joined the registered household
    assert all(name_keys(p[0]) == (p[6], p[7]) for p in fast_written["people"])
    assert connection.vendor in ("postgresql", "sqlite")

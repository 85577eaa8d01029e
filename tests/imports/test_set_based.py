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
    """Every row as the error sheet has it (number, status, errors, cells), and the parsed values of the rows with
    something to say (the set-based path stages no others)."""
    staged = {r.row_number: ({k: v for k, v in r.clean.items() if v is not None}, r.dedup_key, r.group_key)
              for r in StagedRow.objects.filter(batch=batch).exclude(status=StagedRow.Status.OK)}
    return [(r.row_number, r.status, r.errors, r.data, staged.get(r.row_number))
            for page in pipeline.sheet_pages(batch) for r in page]


def test_set_based_validation_equals_the_per_row_path(stage, areas, registry_data, monkeypatch):
    content = _varied_file(areas, registry_data)
    fast = stage(content)
    monkeypatch.setattr(pipeline, "SET_BASED", False)
    slow = stage(content, filename="again.csv")
    assert _rows(fast) == _rows(slow)
    assert (fast.good_rows, fast.bad_rows, fast.skipped_existing) == (slow.good_rows, slow.bad_rows,
                                                                      slow.skipped_existing)
    assert fast.bad_rows > 10 and fast.good_rows > 5 and fast.skipped_existing == 1
    assert not fast.good_rows_staged and slow.good_rows_staged
    assert fast.rows.count() == fast.bad_rows + fast.skipped_existing  # good rows are not staged


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


# --- good rows are not staged: the commit reads the validation's temporary table, or checks the file again ---


def _other_session() -> None:
    """What a commit job on another worker finds: none of the validation's temporary tables."""
    from imports.schemas.persons_households_sql import GOOD, MARK

    Sql().drop(GOOD, MARK)


def test_validation_stages_only_the_rows_with_something_to_say(stage, areas, registry_data):
    batch = stage(_varied_file(areas, registry_data))
    assert not batch.good_rows_staged
    statuses = set(StagedRow.objects.filter(batch=batch).values_list("status", flat=True))
    assert statuses == {StagedRow.Status.ERROR, StagedRow.Status.DUPLICATE_EXISTING}
    assert batch.total_rows == batch.good_rows + batch.rows.count()


def test_a_commit_in_another_session_checks_the_file_again_and_writes_the_same(stage, commit, areas,
                                                                               registry_data):
    content = _varied_file(areas, registry_data)
    marks = _marks()
    same = commit(stage(content))
    assert same.status == "committed", same.error
    written = _written(marks)
    _undo(marks)
    batch = stage(content + b"\n")  # other bytes: not a re-upload of the committed file
    _other_session()
    other = commit(batch)
    assert other.status == "committed", other.error
    assert _written(marks) == written
    assert (other.committed_rows, other.skipped_existing, other.summary) == (same.committed_rows,
                                                                             same.skipped_existing, same.summary)


def test_a_commit_in_another_session_refuses_a_person_registered_since(stage, commit, areas, officer):
    from registry.services import person_create
    from tests.imports.helpers import families

    rows = families(2, areas["community_a"])
    batch = stage(to_csv(rows))
    person_create(acting_user=officer, name=rows[4][1], area_code=areas["community_a"], id_number=rows[4][2])
    _other_session()
    batch = commit(batch)
    assert batch.status == "validated" and batch.mode == ""
    assert batch.error == "第6行的身份证号在校验之后已被登记，未保存任何数据，请重新上传校验"
    assert Person.objects.count() == 1


def test_a_commit_in_another_session_refuses_rows_whose_outcome_changed(stage, commit, areas):
    from areas.models import Area, AreaLevel
    from tests.imports.helpers import families

    new_code = "500106001999"
    rows = families(2, areas["community_a"])
    for cells in rows[3:]:
        cells[5] = new_code  # H00002 lives in a community the registry does not know yet: bad at validation
    batch = stage(to_csv(rows))
    assert (batch.good_rows, batch.bad_rows) == (3, 3)
    Area.objects.create(code=new_code, name="新社区", level=AreaLevel.COMMUNITY, parent_id=areas["town_a"])
    _other_session()
    batch = commit(batch)
    assert batch.status == "validated"
    assert batch.error == "登记库在校验之后有变动，第5、6、7行的校验结果已不同，未保存任何数据，请重新上传校验"
    assert Person.objects.count() == 0
    # in the session of the validation the file is not read again: the three good rows are written
    batch = stage(to_csv(rows) + b"\n")
    assert commit(batch).committed_rows == 6

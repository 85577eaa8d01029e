"""Validation of a persons_households file: each kind of bad row gives its Chinese message on its own row."""

import pytest
from django.core.exceptions import ValidationError

from imports.models import ImportBatch, StagedRow
from imports.services import import_batch_stage
from registry.models import Household, Person
from tests.conftest import make_id
from tests.imports.conftest import messages_of, sheet_row, status_of
from tests.imports.helpers import HEADERS, family, row, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

OK = StagedRow.Status.OK
ERROR = StagedRow.Status.ERROR
PRESENT = StagedRow.Status.DUPLICATE_EXISTING


def test_good_rows_are_validated_with_facts_from_the_id_number(stage, commit, areas):
    # given a household of three in community A, when uploaded, then every row is good and parsed
    batch = stage(to_csv(family("H1", areas["community_a"], 1)))
    assert batch.status == ImportBatch.Status.VALIDATED
    assert (batch.total_rows, batch.good_rows, batch.bad_rows, batch.skipped_existing) == (3, 3, 0, 0)
    head = sheet_row(batch, 2)
    assert head.status == OK and head.errors == []
    assert head.data[:2] == ["H1", "居民1之0"]
    assert not batch.rows.exists()  # nothing to say about any row: nothing staged
    assert Person.objects.count() == 0  # validation writes nothing to the registry
    commit(batch)
    household = Household.objects.get()
    assert household.hukou_type == "urban" and household.members.get(relation="head").person.name == "居民1之0"


def test_xlsx_is_read_like_csv(stage, areas):
    batch = stage(to_xlsx(family("H1", areas["community_a"], 1)), filename="居民.xlsx")
    assert (batch.total_rows, batch.good_rows) == (3, 3)
    assert sheet_row(batch, 3).data[4] == "配偶"


def test_gbk_csv_from_excel_is_read(stage, areas):
    batch = stage(to_csv(family("H1", areas["community_a"], 1), encoding="gb18030"))
    assert batch.good_rows == 3
    assert sheet_row(batch, 2).data[1] == "居民1之0"


def test_keys_are_accepted_as_headers(stage, areas):
    keys = ["household_ref", "name", "id_number", "no_id_reason", "relation", "area_code", "hukou_type", "phone",
            "address"]
    batch = stage(to_csv(family("H1", areas["community_a"], 1), headers=keys))
    assert batch.good_rows == 3


def test_progress_is_recorded_on_the_job(stage, areas):
    rows = [r for n in range(1, 5) for r in family(f"H{n}", areas["community_a"], n)]
    batch = stage(to_csv(rows))
    batch.job.refresh_from_db()
    assert batch.job.kind == "import.validate" and batch.job.status == "done"
    assert batch.job.progress_total == batch.total_rows == 12
    assert batch.job.progress_done == 12
    assert "校验完成" in batch.job.log


def _one_bad(areas, **changes) -> list[list[str]]:
    """A good household of two where the second row (spreadsheet row 3) is changed."""
    rows = family("H1", areas["community_a"], 1, size=2)
    fields = dict(zip(["ref", "name", "id_number", "no_id", "relation", "area", "hukou", "phone", "address"],
                      rows[1], strict=True))
    fields.update(changes)
    rows[1] = [fields[k] for k in ["ref", "name", "id_number", "no_id", "relation", "area", "hukou", "phone",
                                   "address"]]
    return rows


@pytest.mark.parametrize(("changes", "message"), [
    ({"id_number": make_id("500106", "19820202", 2)[:-1] + "0"}, "身份证号校验码不正确"),
    ({"id_number": make_id("500106", "19800230", 2)}, "身份证号中的出生日期不正确"),
    ({"id_number": "50010619820202"}, "身份证号应为18位"),
    ({"name": ""}, "「姓名」为必填项"),
    ({"relation": ""}, "「与户主关系」为必填项"),
    ({"relation": "邻居"},
     "「与户主关系」应为以下之一：户主、配偶、子女、父母、兄弟姐妹、孙子女、其他（填写的是“邻居”）"),
    ({"id_number": ""}, "「身份证号」为必填项（确无身份证号的，请填写「无证原因」）"),
    ({"id_number": "", "no_id": "没带"}, "「无证原因」应为以下之一"),
    ({"phone": "call me"}, "「联系电话」格式不正确（填写的是“call me”）"),
])
def test_a_bad_member_row_has_its_message_and_the_rest_is_good(stage, areas, changes, message):
    batch = stage(to_csv(_one_bad(areas, **changes)))
    assert status_of(batch, 3) == ERROR
    assert any(m.startswith(message) for m in messages_of(batch, 3)), messages_of(batch, 3)
    assert status_of(batch, 2) == OK
    assert (batch.good_rows, batch.bad_rows) == (1, 1)


def test_area_codes_unknown_not_community_or_malformed(stage, areas):
    rows = [row("H1", "甲", make_id("500106", "19800101", 1), area="500106999999"),
            row("H2", "乙", make_id("500106", "19800101", 2), area=areas["town_a"]),
            row("H3", "丙", make_id("500106", "19800101", 3), area="5001")]
    batch = stage(to_csv(rows))
    assert messages_of(batch, 2) == ["村社区代码不存在：500106999999"]
    assert messages_of(batch, 3) == [f"村社区代码 {areas['town_a']} 不是村（社区）一级的区划"]
    assert messages_of(batch, 4) == ["「村社区代码」应为12位数字（填写的是“5001”）"]


def test_area_outside_the_uploaders_scope_is_an_error_naming_the_code(stage, areas, town_importer):
    # given the town A officer (with the import grant), a household in town B is outside their scope
    rows = family("H1", areas["community_a"], 1, size=1) + family("H2", areas["community_b"], 2, size=1)
    batch = stage(to_csv(rows), user=town_importer)
    assert status_of(batch, 2) == OK
    assert messages_of(batch, 3) == [f"村社区代码 {areas['community_b']} 不在您的管辖范围内"]


def test_duplicate_within_the_file_flags_both_rows_naming_the_other(stage, areas):
    same = make_id("500106", "19800101", 7)
    rows = [row("H1", "甲", same, area=areas["community_a"]),
            row("H2", "乙", make_id("500106", "19800101", 8), area=areas["community_a"]),
            row("H2", "丙", same, relation="配偶", area=areas["community_a"])]
    batch = stage(to_csv(rows))
    assert "身份证号与第4行重复" in messages_of(batch, 2)
    assert "身份证号与第2行重复" in messages_of(batch, 4)
    assert status_of(batch, 3) == OK


def test_id_number_registered_under_another_name_is_an_error(stage, areas, registry_data):
    rows = [row("H1", "不是张三", registry_data["a1"].id_number, area=areas["community_a"])]
    batch = stage(to_csv(rows))
    assert messages_of(batch, 2) == ["该身份证号已登记，但登记的姓名与本行「姓名」不一致"]


def test_two_heads_make_every_row_of_the_household_an_error(stage, areas):
    rows = family("H1", areas["community_a"], 1)
    rows[1][4] = "户主"
    rows += family("H2", areas["community_a"], 2, size=1)
    batch = stage(to_csv(rows))
    expected = "户编号 H1 有2名户主（第2、3行），每户须有且只有一名户主"
    assert all(expected in messages_of(batch, n) for n in (2, 3, 4))
    assert status_of(batch, 5) == OK


def test_household_without_head_is_an_error_on_every_row(stage, areas):
    rows = family("H1", areas["community_a"], 1, size=2)
    rows[0][4] = "子女"
    batch = stage(to_csv(rows))
    assert all("户编号 H1 没有户主（每户须有且只有一名户主）" in messages_of(batch, n) for n in (2, 3))


def test_members_in_different_areas_make_every_row_an_error(stage, areas):
    rows = family("H1", areas["community_a"], 1, size=2)
    rows[1][5] = areas["community_a2"]
    batch = stage(to_csv(rows))
    codes = "、".join(sorted([areas["community_a"], areas["community_a2"]]))
    assert all(f"户编号 H1 的成员村社区代码不一致（{codes}）" in messages_of(batch, n) for n in (2, 3))


def test_a_bad_head_row_spoils_the_whole_household(stage, areas):
    rows = family("H1", areas["community_a"], 1)
    rows[0][2] = rows[0][2][:-1] + ("0" if rows[0][2][-1] != "0" else "1")
    batch = stage(to_csv(rows))
    assert messages_of(batch, 2) == ["身份证号校验码不正确"]
    assert messages_of(batch, 3) == ["户主行（第2行）有错误，整户不导入"]
    assert messages_of(batch, 4) == ["户主行（第2行）有错误，整户不导入"]
    assert batch.good_rows == 0 and batch.bad_rows == 3


def test_head_without_hukou_type_is_an_error(stage, areas):
    rows = family("H1", areas["community_a"], 1, size=1)
    rows[0][6] = ""
    batch = stage(to_csv(rows))
    assert messages_of(batch, 2) == ["户主行须填写「户籍类型」"]


def test_member_active_in_another_household_is_an_error(stage, areas, registry_data):
    # 李四 is the spouse in household A; listing her in a new household is refused
    rows = family("H9", areas["community_a"], 9, size=1)
    rows.append(row("H9", "李四", registry_data["a2"].id_number, relation="配偶", area=areas["community_a"]))
    batch = stage(to_csv(rows))
    assert messages_of(batch, 3) == ["已是另一家庭的在户成员"]
    assert status_of(batch, 2) == OK


def test_registered_household_rows_are_already_present_and_new_members_join_it(stage, commit, areas,
                                                                                       registry_data):
    a1, a2 = registry_data["a1"], registry_data["a2"]
    rows = [row("X", "张三", a1.id_number, area=areas["community_a"]),
            row("X", "李四", a2.id_number, relation="配偶", area=areas["community_a"]),
            row("X", "张小三", make_id("500106", "20150505", 5), relation="子女", area=areas["community_a"])]
    batch = stage(to_csv(rows))
    assert [status_of(batch, n) for n in (2, 3, 4)] == [PRESENT, PRESENT, OK]
    assert (batch.good_rows, batch.bad_rows, batch.skipped_existing) == (1, 0, 2)
    commit(batch)
    assert Person.objects.get(name="张小三").memberships.get().household_id == registry_data["household_a"].pk


def test_a_registered_member_cannot_head_a_household_in_the_file(stage, areas, registry_data):
    # 李四 is the spouse (not the head) of household A: new members listed under her would join it wrongly
    rows = [row("Y", "李四", registry_data["a2"].id_number, area=areas["community_a"]),
            row("Y", "李小四", make_id("500106", "20150505", 6), relation="子女", area=areas["community_a"])]
    batch = stage(to_csv(rows))
    assert messages_of(batch, 2) == ["该人员已是登记库中某家庭的成员，但不是该家庭的户主，请核对「与户主关系」"]
    assert messages_of(batch, 3) == ["户主行（第2行）有错误，整户不导入"]


def test_person_without_id_number_needs_a_reason_and_is_then_good(stage, commit, areas):
    rows = family("H1", areas["community_a"], 1, size=1)
    rows.append(row("H1", "小宝", "", relation="子女", area=areas["community_a"], no_id="新生儿未落户"))
    batch = stage(to_csv(rows))
    assert status_of(batch, 3) == OK
    commit(batch)
    assert Person.objects.get(name="小宝").no_id_reason == "newborn"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet(stage, areas):
    rows = family("H1", areas["community_a"], 1, size=1) + [[""] * 9] + family("H2", "500106999999", 2, size=1)
    batch = stage(to_csv(rows))
    assert batch.total_rows == 2
    assert messages_of(batch, 4) == ["村社区代码不存在：500106999999"]


@pytest.mark.parametrize(("headers", "message"), [
    ([h for h in HEADERS if h != "姓名"], "缺少必填列「姓名」"),
    ([h for h in HEADERS if h != "身份证号"], "缺少必填列「身份证号」"),
    (HEADERS[:-1] + ["姓名"], "表头「姓名」出现了两次"),
])
def test_header_problems_refuse_the_upload_at_once(officer, areas, headers, message):
    content = to_csv([["x"] * len(headers)], headers=headers)
    with pytest.raises(ValidationError) as caught:
        import_batch_stage(acting_user=officer, schema="persons_households", filename="a.csv", content=content)
    assert message in caught.value.message_dict["file"]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("a.txt", b"x", "仅支持 CSV 或 XLSX（Excel 2007 及以上）文件"),
    ("a.csv", b"", "文件为空"),
    ("a.csv", to_csv([]), "文件中只有表头，没有数据行"),
    ("a.xlsx", b"not a zip", "无法读取 XLSX 文件，请确认文件未损坏且为 Excel 2007 及以上格式"),
])
def test_unreadable_uploads_are_refused(officer, areas, filename, content, message):
    with pytest.raises(ValidationError) as caught:
        import_batch_stage(acting_user=officer, schema="persons_households", filename=filename, content=content)
    assert caught.value.message_dict["file"] == [message]

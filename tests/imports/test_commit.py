"""Commit: exactly the good rows, all or nothing, with history; discarding saves nothing; re-import is a no-op."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from audit.models import ChangeLog, DomainEvent
from imports.models import ImportBatch, StagedRow
from imports.schemas import persons_households
from imports.services import import_batch_discard, import_file_run
from registry.models import Household, HouseholdMember, Person
from registry.services import person_create
from tests.conftest import make_id
from tests.imports.helpers import families, family, row, to_csv, to_xlsx

pytestmark = pytest.mark.django_db


def _registry_counts() -> tuple[int, int, int]:
    return Person.objects.count(), Household.objects.count(), HouseholdMember.objects.count()


def _mixed_file(areas) -> list[list[str]]:
    """H1 (3 good), H2 (head bad → 2 bad), H3 (1 good head + 1 bad child): 4 good rows of 7."""
    rows = family("H1", areas["community_a"], 1) + family("H2", areas["community_a"], 2, size=2)
    rows[3][5] = "500106999999"  # H2's head: unknown area
    rows[4][5] = "500106999999"
    rows += family("H3", areas["community_a2"], 3, size=2)
    rows[6][2] = "123"  # H3's child: bad ID number
    return rows


def test_good_only_saves_exactly_the_good_rows(stage, commit, areas):
    batch = stage(to_csv(_mixed_file(areas)))
    assert (batch.good_rows, batch.bad_rows) == (4, 3)
    batch = commit(batch)
    assert batch.status == ImportBatch.Status.COMMITTED and batch.mode == ImportBatch.Mode.GOOD_ONLY
    assert batch.committed_rows == 4
    assert set(Person.objects.values_list("name", flat=True)) == {"居民1之0", "居民1之1", "居民1之2", "居民3之0"}
    assert _registry_counts() == (4, 2, 4)
    # only the bad rows were staged (for the error sheet); the good ones went from the validation to the registry
    assert sorted(batch.rows.values_list("row_number", "status")) == [(5, "error"), (6, "error"), (8, "error")]
    assert batch.summary == {"persons": 4, "households": 2, "members": 4}


def test_committed_records_carry_the_files_values(stage, commit, areas):
    number = make_id("500106", "19800101", 3, sex_odd=False)
    rows = [row("H1", "王芳", number, area=areas["community_a"], hukou="农村", phone="138-0000-0000",
                address="歌乐山路1号"),
            row("H1", "小宝", "", relation="子女", area=areas["community_a"], no_id="newborn")]
    commit(stage(to_csv(rows)))
    person = Person.objects.get(id_number=number)
    assert (person.sex, person.birth_date, person.phone) == ("F", date(1980, 1, 1), "13800000000")
    assert (person.name_pinyin, person.name_initials, person.area_id) == ("wangfang", "wf", areas["community_a"])
    household = Household.objects.get()
    assert (household.hukou_type, household.address, household.area_id) == ("rural", "歌乐山路1号",
                                                                            areas["community_a"])
    baby = Person.objects.get(name="小宝")
    assert baby.id_number is None and baby.no_id_reason == "newborn"
    assert dict(household.members.values_list("person__name", "relation")) == {"王芳": "head", "小宝": "child"}
    assert all(m.is_active and m.area_id == areas["community_a"] for m in household.members.all())


def test_commit_writes_history_and_one_event_per_household(stage, commit, areas, officer):
    commit(stage(to_csv(families(2, areas["community_a"]))))
    logs = ChangeLog.objects.filter(source="import", user=officer, action="create")
    assert logs.filter(model="registry.person").count() == 6
    assert logs.filter(model="registry.household").count() == 2
    assert logs.filter(model="registry.householdmember").count() == 6
    person = Person.objects.get(name="居民1之0")
    assert logs.get(model="registry.person", object_id=str(person.pk)).after["name"] == "居民1之0"
    events = DomainEvent.objects.filter(type="household_imported")
    assert events.count() == 2 and all(e.user_id == officer.pk for e in events)
    assert events.first().params["members"] == 3


def test_discard_saves_nothing(stage, areas, officer):
    batch = stage(to_csv(families(2, areas["community_a"])))
    batch = import_batch_discard(acting_user=officer, batch=batch)
    assert batch.status == ImportBatch.Status.DISCARDED and batch.mode == ImportBatch.Mode.NOTHING
    assert _registry_counts() == (0, 0, 0)
    with pytest.raises(ValidationError):
        from imports.services import import_batch_commit

        import_batch_commit(acting_user=officer, batch=batch)


def test_file_run_with_mode_nothing_saves_nothing(officer, areas):
    batch = import_file_run(acting_user=officer, schema="persons_households", filename="a.csv",
                            content=to_csv(families(2, areas["community_a"])), mode="nothing")
    assert batch.status == ImportBatch.Status.DISCARDED and batch.good_rows == 6
    assert _registry_counts() == (0, 0, 0)


def test_reimporting_the_same_file_changes_nothing(stage, commit, areas):
    rows = families(3, areas["community_a"])
    rows.append(row("H00001", "小宝", "", relation="子女", area=areas["community_a"], no_id="newborn"))
    content = to_csv(rows)
    first = commit(stage(content))
    assert first.committed_rows == 10
    before = _registry_counts()
    second = stage(content)
    assert second.duplicate_of_id == first.pk
    assert (second.good_rows, second.bad_rows, second.skipped_existing) == (0, 0, 10)
    second = commit(second)
    assert second.status == ImportBatch.Status.COMMITTED and second.committed_rows == 0
    assert _registry_counts() == before


def test_reimporting_the_same_rows_in_another_file_changes_nothing(stage, commit, areas):
    # different bytes (XLSX, not CSV): no checksum match, so each row is recognised as already present —
    # by ID number, and the person without one by name within the registered household
    rows = families(3, areas["community_a"])
    rows.append(row("H00001", "小宝", "", relation="子女", area=areas["community_a"], no_id="newborn"))
    commit(stage(to_csv(rows)))
    before = _registry_counts()
    again = stage(to_xlsx(rows), filename="again.xlsx")
    assert again.duplicate_of_id is None
    assert (again.good_rows, again.bad_rows, again.skipped_existing) == (0, 0, 10)
    again = commit(again)
    assert again.committed_rows == 0 and again.skipped_existing == 10
    assert _registry_counts() == before


def test_a_new_member_in_a_reimport_joins_the_registered_household(stage, commit, areas):
    rows = family("H1", areas["community_a"], 1, size=2)
    commit(stage(to_csv(rows)))
    rows.append(row("H1", "新生儿", make_id("500106", "20240101", 4), relation="子女", area=areas["community_a"]))
    batch = commit(stage(to_csv(rows)))
    assert (batch.committed_rows, batch.skipped_existing) == (1, 2)
    household = Household.objects.get()
    assert household.members.filter(is_active=True).count() == 3
    assert DomainEvent.objects.filter(type="members_imported", household=household).count() == 1


def test_the_commit_is_all_or_nothing(stage, commit, areas, monkeypatch):
    batch = stage(to_csv(families(3, areas["community_a"])))

    def broken(**kwargs):
        raise RuntimeError("disk full")

    # the failure comes after persons and households are written: they must be rolled back too
    monkeypatch.setattr(persons_households, "_write_events", lambda *a: broken())
    batch = commit(batch)
    assert _registry_counts() == (0, 0, 0)
    assert not ChangeLog.objects.filter(source="import").exists()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.mode == ""
    assert batch.error == "保存失败，未写入任何数据（RuntimeError）"
    assert batch.job.status == "failed" and "disk full" in batch.job.error
    assert not batch.rows.filter(status=StagedRow.Status.COMMITTED).exists()
    # the batch stays open: once the cause is gone the same commit goes through
    monkeypatch.undo()
    assert commit(batch).committed_rows == 9


def test_a_person_registered_after_validation_fails_the_commit_cleanly(stage, commit, areas, officer):
    rows = families(2, areas["community_a"])
    batch = stage(to_csv(rows))
    person_create(acting_user=officer, name=rows[4][1], area_code=areas["community_a"], id_number=rows[4][2])
    batch = commit(batch)
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.error == "第6行的身份证号在校验之后已被登记，未保存任何数据，请重新上传校验"
    assert _registry_counts() == (1, 0, 0)


def test_a_batch_is_committed_once(stage, commit, areas, officer):
    batch = commit(stage(to_csv(families(1, areas["community_a"]))))
    from imports.services import import_batch_commit

    with pytest.raises(ValidationError) as caught:
        import_batch_commit(acting_user=officer, batch=batch)
    assert caught.value.messages == ["该批次状态为“已保存”，不能再保存或放弃"]
    assert _registry_counts() == (3, 1, 3)


def test_file_run_commits_synchronously(officer, areas):
    batch = import_file_run(acting_user=officer, schema="persons_households", filename="a.xlsx",
                            content=to_xlsx(families(4, areas["community_a"])))
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_rows == 12
    assert batch.job.kind == "import.commit" and batch.job.status == "done"
    assert batch.job.progress_done == batch.job.progress_total == 12
    assert _registry_counts() == (12, 4, 12)

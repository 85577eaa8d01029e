"""Area tree (行政区划): official data loads, a second district installs from its file, NBS editions apply."""

import pytest
from django.core.management import CommandError, call_command

from areas.models import Area, AreaChange
from areas.services import area_change_apply
from audit.models import ChangeLog
from registry.models import Person

pytestmark = pytest.mark.django_db


def test_shapingba_has_26_towns_and_200_communities(areas):
    assert Area.objects.get(code="500106000000").name == "沙坪坝区"
    assert Area.objects.filter(level="town", parent_id="500106000000").count() == 26
    assert Area.objects.filter(level="community", code__startswith="500106").count() == 200
    # Every community hangs under a town of the same district.
    assert not Area.objects.filter(level="community", code__startswith="500106").exclude(
        parent__level="town").exists()


def test_fuling_installs_from_its_file_alone(db):
    call_command("load_areas", "areas/data/areas-500102.csv", verbosity=0)
    assert Area.objects.filter(level="town", parent_id="500102000000").count() == 27
    assert Area.objects.filter(level="community", code__startswith="500102").count() == 433


def test_loading_twice_changes_nothing(areas):
    before = Area.objects.count()
    call_command("load_areas", "areas/data/areas-500106.csv", verbosity=0)
    assert Area.objects.count() == before


def test_bad_area_file_names_the_line(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code\n500106000000,沙坪坝区,district,500100000000\n123,坏,town,500106000000\n",
                   encoding="utf-8")
    with pytest.raises(CommandError, match="第3行"):
        call_command("load_areas", str(bad), verbosity=0)
    assert not Area.objects.exists()


def test_scope_prefix_by_level(areas):
    assert Area.objects.get(code=areas["district"]).scope_prefix == "500106"
    assert Area.objects.get(code=areas["town_a"]).scope_prefix == "500106001"
    assert Area.objects.get(code=areas["community_a"]).scope_prefix == areas["community_a"]


def test_rename_keeps_the_old_name_on_record(areas):
    change = area_change_apply(edition="2024", kind="rename", old_code=areas["community_a"], new_name="新名社区")
    assert Area.objects.get(code=areas["community_a"]).name == "新名社区"
    assert change.old_name and change.old_name != "新名社区"


def test_merge_moves_records_and_keeps_their_history(registry_data, areas):
    a1 = registry_data["a1"]
    change = area_change_apply(edition="2024", kind="merge", old_code=areas["community_a"],
                               new_code=areas["community_a2"])
    a1.refresh_from_db()
    assert a1.area_id == areas["community_a2"]
    old = Area.objects.get(code=areas["community_a"])
    assert old.valid_to is not None  # end-dated, not deleted
    assert change.records_moved >= 2
    move = ChangeLog.objects.filter(model="registry.person", object_id=str(a1.pk), reason="区划调整").get()
    assert move.before == {"area_id": areas["community_a"]} and move.after == {"area_id": areas["community_a2"]}
    # Records created on the old code still have their creation entry.
    assert ChangeLog.objects.filter(model="registry.person", object_id=str(a1.pk), action="create").exists()


def test_split_end_dates_but_leaves_records_for_reassignment(registry_data, areas):
    area_change_apply(edition="2024", kind="split", old_code=areas["community_b"])
    assert Person.objects.get(pk=registry_data["b1"].pk).area_id == areas["community_b"]
    assert AreaChange.objects.filter(kind="split", old_code=areas["community_b"]).exists()


def test_new_community_goes_under_its_town(areas):
    area_change_apply(edition="2024", kind="new", new_code="500106001999", new_name="新设社区")
    created = Area.objects.get(code="500106001999")
    assert created.parent_id == areas["town_a"] and created.level == "community"


def test_change_list_command_is_all_or_nothing(tmp_path, areas):
    changes = tmp_path / "changes.csv"
    changes.write_text(f"kind,old_code,new_code,new_name\nrename,{areas['community_a']},,甲社区\n"
                       "merge,500106999999,500106001001,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第3行"):
        call_command("apply_area_changes", str(changes), "--edition", "2024", verbosity=0)
    assert Area.objects.get(code=areas["community_a"]).name != "甲社区"

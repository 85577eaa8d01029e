"""名册比对: categories derived from households, disability, age and enrolments; set-based refresh, idempotent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carevisits.models import RosterEntry
from carevisits.roster import roster_refresh
from carevisits.services import roster_add_manual
from tests.carevisits.conftest import TODAY

pytestmark = pytest.mark.django_db


def _on_roster() -> dict[str, list[str]]:
    return {e.person.name: e.category_labels for e in RosterEntry.objects.filter(active=True).select_related("person")}


def test_categories_from_the_registry(elders):
    result = roster_refresh(today=TODAY)
    assert _on_roster() == {"独居甲": ["独居"], "空巢夫": ["空巢"], "空巢妻": ["空巢"], "高龄乙": ["高龄"],
                            "外镇独居": ["独居"]}
    assert result.added == 5 and result.on_roster == 5
    entry = RosterEntry.objects.get(person=elders["other"])
    assert entry.area_id == elders["other"].area_id


def test_refresh_follows_changes_and_is_idempotent(elders, personas):
    from programs.models import Enrolment
    from registry.services import disability_record, person_record_death

    officer = personas["district_officer"]
    roster_refresh(today=TODAY)
    with_son = elders["with_son"]
    household = with_son.memberships.get(is_active=True).household
    Enrolment.objects.create(program_id="dibao", household=household, person=elders["son"], area_id=household.area_id,
                             monthly_amount=Decimal("100.00"), start_month=date(2026, 1, 1))
    disability_record(acting_user=officer, person=elders["old"], category="physical", grade=2)
    person_record_death(acting_user=officer, person=elders["alone"], death_date=date(2026, 12, 1))
    result = roster_refresh(today=TODAY)
    roster = _on_roster()
    assert roster["同住母"] == ["低保"]
    assert roster["高龄乙"] == ["残疾", "高龄"]
    assert "独居甲" not in roster and "儿子" not in roster
    assert result.added == 1
    left = RosterEntry.objects.get(person=elders["alone"])
    assert not left.active and left.left_at is not None
    again = roster_refresh(today=TODAY)
    assert again.added == 0 and again.on_roster == result.on_roster
    assert _on_roster() == roster


def test_manual_entry_stays_with_reason(elders, personas):
    worker = personas["community_worker"]
    with pytest.raises(ValidationError):
        roster_add_manual(acting_user=worker, person=elders["with_son"], reason=" ")
    with pytest.raises(ValidationError):
        roster_add_manual(acting_user=worker, person=elders["young_alone"], reason="子女外出务工")
    with pytest.raises(PermissionDenied):
        roster_add_manual(acting_user=worker, person=elders["other"], reason="其他村社区")
    entry = roster_add_manual(acting_user=worker, person=elders["with_son"], reason="儿子长期外出务工")
    roster_refresh(today=TODAY)
    entry.refresh_from_db()
    assert entry.active and entry.category_labels == ["人工纳入"] and entry.manual_reason == "儿子长期外出务工"


def test_periodic_task_refreshes_twice_without_duplicates(elders):
    from django.conf import settings

    from minzheng.celery import app

    app.loader.import_default_modules()
    assert any(e["task"] == "periodic.refresh_care_roster" for e in settings.CELERY_BEAT_SCHEDULE.values())
    first = app.tasks["periodic.refresh_care_roster"].apply().get()
    second = app.tasks["periodic.refresh_care_roster"].apply().get()
    assert first["added"] >= 5 and second["added"] == 0 and second["on_roster"] == first["on_roster"]
    assert RosterEntry.objects.count() == first["on_roster"]

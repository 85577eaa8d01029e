"""Care homes: a provider's account sees its own home only; monthly figures; the daily checklist and hazards as
Tasks closed with evidence; the time bank never negative; home adaptation in order."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.services import user_create
from eldercare.community import adaptation_advance, time_bank_balance, time_bank_record
from eldercare.homes import (
    carehomes_visible,
    hazard_close,
    monthly_report_submit,
    occupancy_by_level,
    resident_admit,
    safety_check_record,
)
from eldercare.models import CareHome, HomeAdaptation, SafetyChecklistItem, TimeBankEntry
from registry.services import household_create
from tasks.models import Task
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(areas):
    a = CareHome.objects.create(name="小龙坎敬老院", area_id=areas["community_a"], beds=100, nursing_beds=70,
                                star_rating=3, fire_acceptance=True)
    b = CareHome.objects.create(name="同社区康养中心", area_id=areas["community_a"], beds=50, nursing_beds=20)
    provider = user_create(username="home_a", password=PASSWORD, roles=["care_provider"],
                           area_code=areas["community_a"], validate=False)
    a.providers.add(provider)
    return {"a": a, "b": b, "provider": provider}


def test_a_provider_sees_only_its_own_home(homes, personas):
    assert list(carehomes_visible(homes["provider"])) == [homes["a"]]
    assert set(carehomes_visible(personas["town_officer"])) == {homes["a"], homes["b"]}
    assert not carehomes_visible(personas["outsider"]).exists()
    with pytest.raises(PermissionDenied):
        monthly_report_submit(acting_user=homes["provider"], home=homes["b"], month=date(2026, 11, 1),
                              residents_by_level={"0": 1}, staff_total=3, staff_carers=1, prepaid_balance=0)


def test_the_provider_page_shows_its_own_home_and_404s_another(client, homes):
    client.force_login(homes["provider"])
    listing = client.get("/eldercare/homes/").content.decode()
    assert "小龙坎敬老院" in listing and "同社区康养中心" not in listing
    assert client.get(f"/eldercare/homes/{homes['b'].pk}/").status_code == 404
    assert client.get(f"/eldercare/homes/{homes['a'].pk}/").status_code == 200


def test_monthly_report_and_occupancy(homes, elders):
    report = monthly_report_submit(acting_user=homes["provider"], home=homes["a"], month=date(2026, 11, 5),
                                   residents_by_level={"0": 10, "2": 5, "4": 3}, staff_total=20, staff_carers=12,
                                   prepaid_balance=Decimal("150000"))
    assert (report.residents, report.month) == (18, date(2026, 11, 1))
    with pytest.raises(ValidationError):
        monthly_report_submit(acting_user=homes["provider"], home=homes["a"], month=date(2026, 11, 5),
                              residents_by_level={"0": 101}, staff_total=20, staff_carers=12, prepaid_balance=0)
    resident_admit(acting_user=homes["provider"], home=homes["a"], person=elders["old_a"], care_level=3,
                   on=date(2026, 10, 1))
    assert occupancy_by_level(homes["a"]) == {3: 1}


def test_daily_checklist_hazard_becomes_a_task_closed_only_with_evidence(homes, personas):
    answers = {code: True for code in SafetyChecklistItem.objects.values_list("code", flat=True)}
    assert len(answers) == 10
    with pytest.raises(ValidationError, match="未回答"):
        safety_check_record(acting_user=homes["provider"], home=homes["a"], kind="daily", on=date(2026, 12, 1),
                            answers={"fire_exits": True}, hazards=[])
    answers["fire_exits"] = False
    check = safety_check_record(acting_user=homes["provider"], home=homes["a"], kind="daily", on=date(2026, 12, 1),
                                answers=answers, hazards=[{"description": "二楼安全出口堆放杂物",
                                                           "deadline": date(2026, 12, 3)}])
    hazard = check.hazards.get()
    assert (hazard.task.kind, hazard.task.area_id, hazard.task.status) == ("hazard", homes["a"].area_id, "open")
    with pytest.raises(PermissionDenied):  # the bureau's inspection is not the provider's
        safety_check_record(acting_user=homes["provider"], home=homes["a"], kind="bureau", on=date(2026, 12, 2),
                            answers={}, hazards=[])
    with pytest.raises(ValidationError, match="佐证"):
        hazard_close(acting_user=personas["community_worker"], hazard=hazard, note="已清理", evidence={})
    hazard_close(acting_user=personas["community_worker"], hazard=hazard, note="已清理",
                 evidence={"photo": "整改后照片.jpg"})
    assert Task.objects.get(pk=hazard.task_id).status == "closed"


def test_time_bank_never_negative(elders, personas):
    worker, volunteer = personas["community_worker"], elders["old_a2"]
    time_bank_record(acting_user=worker, volunteer=volunteer, hours=3, note="陪伴独居老人")
    time_bank_record(acting_user=worker, volunteer=volunteer, hours=-2, note="兑换助洁服务")
    assert time_bank_balance(volunteer) == Decimal("1.00")
    with pytest.raises(ValidationError, match="余额不足"):
        time_bank_record(acting_user=worker, volunteer=volunteer, hours=-1.5, note="兑换助浴")
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeBankEntry.objects.create(volunteer=volunteer, area_id=volunteer.area_id, hours=Decimal("-5"),
                                     balance_after=Decimal("-4"), note="绕过检查", by=worker)


def test_home_adaptation_goes_stage_by_stage(elders, personas, areas):
    officer = personas["district_officer"]
    household = household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                                  members=[{"person": elders["old_a"], "relation": "head"}])
    plan = HomeAdaptation.objects.create(household=household, person=elders["old_a"], area_id=areas["community_a"],
                                         needs="卫生间无扶手")
    with pytest.raises(ValidationError):
        adaptation_advance(acting_user=officer, adaptation=plan, stage="works", on=date(2026, 12, 1))
    plan = adaptation_advance(acting_user=officer, adaptation=plan, stage="planned", on=date(2026, 12, 1),
                              plan="加装扶手、防滑地砖", cost=Decimal("3200"))
    assert plan.stage == "planned" and plan.dates == {"planned": "2026-12-01"}
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeAdaptation.objects.create(household=household, person=elders["old_a"], area_id=areas["community_a"])


def test_the_api_lists_only_the_providers_home(homes, personas):
    from rest_framework.test import APIClient

    from accounts.tokens import api_token_issue

    def names(user):
        _token, key = api_token_issue(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = client.get("/api/care-homes/")
        assert response.status_code == 200
        return [row["name"] for row in response.json()]

    assert names(homes["provider"]) == ["小龙坎敬老院"]
    assert sorted(names(personas["district_officer"])) == sorted(["小龙坎敬老院", "同社区康养中心"])
    assert names(personas["outsider"]) == []


def test_the_bureau_inspection_page_raises_hazard_tasks(client, homes, personas):
    client.force_login(personas["town_officer"])
    assert 'data-testid="inspection-form"' in client.get(f"/eldercare/homes/{homes['a'].pk}/").content.decode()
    response = client.post(f"/eldercare/homes/{homes['a'].pk}/inspection/",
                           {"hazards": "灭火器过期\n\n厨房燃气报警器失灵", "deadline": "2026-12-20"})
    assert response.status_code == 302
    assert list(homes["a"].hazards.order_by("id").values_list("description", flat=True)) == [
        "灭火器过期", "厨房燃气报警器失灵"]
    assert Task.objects.filter(kind="hazard", status="open").count() == 2
    client.force_login(homes["provider"])
    assert client.post(f"/eldercare/homes/{homes['a'].pk}/inspection/", {"hazards": ""}).status_code == 403

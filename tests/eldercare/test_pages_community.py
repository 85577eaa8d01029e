"""Pages of 养老服务 a clerk finishes work on: care-home residents (admit linked to the registry by ID number and
name, discharge, occupancy by care level), 适老化改造 (assessment → plan → works → acceptance → subsidy, each step
a form; the printable acceptance form) and the time bank (volunteers, hours earned and spent, an overdraft refused
with a Chinese error). Each scoped by area: another town's officer gets 404 or an empty list."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.services import user_create
from audit.models import DomainEvent, EventType
from eldercare.community import time_bank_balance
from eldercare.homes import occupancy_by_level
from eldercare.models import CareHome, CareHomeResident, HomeAdaptation, TimeBankEntry
from registry.services import household_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()  # the services' today (Asia/Shanghai)
INTERNAL = ("assessed", "planned", "subsidised", "accepted", "care_level", "time_bank")


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _flash(client, url: str) -> str:
    return _text(client.get(url))


@pytest.fixture
def home(areas):
    home = CareHome.objects.create(name="小龙坎敬老院", area_id=areas["community_a"], beds=2, nursing_beds=1)
    provider = user_create(username="home_a", password=PASSWORD, roles=["care_provider"],
                           area_code=areas["community_a"], validate=False)
    home.providers.add(provider)
    return home, provider


def test_admit_by_id_number_and_name_then_discharge(client, home, elders):
    home, provider = home
    client.force_login(provider)
    url = f"/eldercare/homes/{home.pk}/"
    elder = elders["old_a"]

    # a wrong name: nothing saved, the field named
    client.post(f"{url}admit/", {"name": "钱某", "id_number": elder.id_number, "care_level": "3",
                                 "admitted_on": TODAY})
    assert "姓名与身份证号码不符" in _flash(client, url)
    assert not CareHomeResident.objects.exists()
    # no assessment and no level chosen: a clear error
    client.post(f"{url}admit/", {"name": elder.name, "id_number": elder.id_number, "care_level": "",
                                 "admitted_on": TODAY})
    assert "没有有效的能力评估" in _flash(client, url)

    client.post(f"{url}admit/", {"name": elder.name, "id_number": elder.id_number, "care_level": "3",
                                 "admitted_on": TODAY})
    page = _flash(client, url)
    assert "已登记入住" in page and elder.name in page and elder.id_number not in page  # masked
    assert occupancy_by_level(home) == {3: 1}
    assert "重度失能" in page and "入住老人（1 / 2床）" in page
    # the same person twice: refused
    client.post(f"{url}admit/", {"name": elder.name, "id_number": elder.id_number, "care_level": "2",
                                 "admitted_on": TODAY})
    assert "已在养老机构入住" in _flash(client, url)

    resident = CareHomeResident.objects.get()
    client.post(f"{url}residents/{resident.pk}/discharge/", {"left_on": TODAY, "reason": ""})
    assert "请填写离院原因" in _flash(client, url)
    client.post(f"{url}residents/{resident.pk}/discharge/", {"left_on": TODAY, "reason": "回家养老"})
    assert "已办理离院" in _flash(client, url)
    resident.refresh_from_db()
    assert resident.left_on == timezone.localdate() and occupancy_by_level(home) == {}
    assert DomainEvent.objects.filter(person=elder, type__in=[EventType.RESIDENT_ADMITTED,
                                                              EventType.RESIDENT_DISCHARGED]).count() == 2


def test_a_full_home_refuses_the_next_admission(client, home, elders):
    home, provider = home
    home.beds = 1
    home.save(update_fields=["beds"])
    client.force_login(provider)
    for key in ("old_a", "old_a2"):
        client.post(f"/eldercare/homes/{home.pk}/admit/", {"name": elders[key].name, "care_level": "1",
                                                           "id_number": elders[key].id_number, "admitted_on": TODAY})
    assert "床位已满" in _flash(client, f"/eldercare/homes/{home.pk}/")
    assert CareHomeResident.objects.count() == 1


def test_bureau_staff_see_residents_but_cannot_admit(client, home, personas, elders):
    home, _ = home
    client.force_login(personas["community_worker"])
    page = _text(client.get(f"/eldercare/homes/{home.pk}/"))
    assert 'data-testid="admit-form"' not in page
    response = client.post(f"/eldercare/homes/{home.pk}/admit/", {"name": elders["old_a"].name,
                                                                  "id_number": elders["old_a"].id_number})
    assert response.status_code == 403


@pytest.fixture
def household(personas, areas, elders):
    return household_create(acting_user=personas["district_officer"], area_code=areas["community_a"],
                            hukou_type="urban", members=[{"person": elders["old_a"], "relation": "head"}])


def test_adaptation_step_by_step_through_the_pages(client, personas, elders, household):
    client.force_login(personas["community_worker"])
    elder = elders["old_a"]
    assert elder.name in _text(client.get("/eldercare/adaptations/", {"q": "钱"}))
    client.post(f"/eldercare/adaptations/new/{elder.pk}/", {"on": TODAY, "needs": "卫生间无扶手，地面湿滑"})
    adaptation = HomeAdaptation.objects.get()
    url = f"/eldercare/adaptations/{adaptation.pk}/"
    assert "入户评估已登记" in _flash(client, url)

    # the plan without a cost: refused, nothing changed
    refused = client.post(url, {"stage": "planned", "on": TODAY, "plan": "加装扶手", "cost": ""})
    assert "请填写改造方案和费用" in _text(refused) and "加装扶手" in _text(refused)  # what was typed is kept
    adaptation.refresh_from_db()
    assert adaptation.stage == "assessed"
    client.post(url, {"stage": "planned", "on": TODAY, "plan": "加装扶手、防滑地砖", "cost": "3200"})
    client.post(url, {"stage": "works", "on": TODAY, "note": "某某装饰公司施工"})
    assert client.get(f"{url}acceptance/").status_code == 404  # not accepted yet
    client.post(url, {"stage": "accepted", "on": TODAY, "note": "扶手牢固，地砖防滑，验收合格"})
    refused = client.post(url, {"stage": "subsidised", "on": TODAY, "subsidy": "4000"})
    assert "补贴金额不能超过改造费用3200.00元" in _text(refused)  # the form shown again with the error
    client.post(url, {"stage": "subsidised", "on": TODAY, "subsidy": "2800"})
    adaptation.refresh_from_db()
    assert (adaptation.stage, adaptation.cost, adaptation.subsidy) == ("subsidised", Decimal("3200.00"),
                                                                       Decimal("2800.00"))
    steps = list(adaptation.steps.values_list("stage", "by__username"))
    assert steps == [(s, "cw") for s in ("assessed", "planned", "works", "accepted", "subsidised")]
    page = _flash(client, url)
    assert "改造已办结" in page and "补贴发放" in page
    printed = _text(client.get(f"{url}acceptance/"))
    assert "竣工验收单" in printed and "验收合格" in printed and elder.id_number not in printed
    for code in INTERNAL:
        assert code not in page.replace('name="stage"', "") and code not in printed


def test_a_second_plan_for_the_household_and_a_future_date_are_refused(client, personas, elders, household):
    client.force_login(personas["community_worker"])
    elder = elders["old_a"]
    tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1).isoformat()
    response = client.post(f"/eldercare/adaptations/new/{elder.pk}/", {"on": tomorrow, "needs": "扶手"})
    assert "不能晚于今天" in _text(response)
    client.post(f"/eldercare/adaptations/new/{elder.pk}/", {"on": TODAY, "needs": "扶手"})
    response = client.post(f"/eldercare/adaptations/new/{elder.pk}/", {"on": TODAY, "needs": "又一次"})
    assert "每户一次" in _text(response)
    assert HomeAdaptation.objects.count() == 1


def test_adaptations_are_scoped_by_area(client, personas, elders, household):
    client.force_login(personas["community_worker"])
    client.post(f"/eldercare/adaptations/new/{elders['old_a'].pk}/", {"on": TODAY, "needs": "扶手"})
    adaptation = HomeAdaptation.objects.get()
    client.force_login(personas["outsider"])
    assert elders["old_a"].name not in _text(client.get("/eldercare/adaptations/"))
    assert client.get(f"/eldercare/adaptations/{adaptation.pk}/").status_code == 404
    assert client.get(f"/eldercare/adaptations/new/{elders['old_a'].pk}/").status_code == 404


def test_time_bank_earn_spend_and_an_overdraft_refused(client, personas, elders):
    client.force_login(personas["community_worker"])
    volunteer = elders["young_a"]
    assert volunteer.name in _text(client.get("/eldercare/time-bank/", {"q": "周"}))
    url = f"/eldercare/time-bank/{volunteer.pk}/"
    client.post(url, {"direction": "earn", "hours": "3", "note": "陪伴独居老人"})
    client.post(url, {"direction": "spend", "hours": "1.5", "note": "兑换助洁服务"})
    assert time_bank_balance(volunteer) == Decimal("3") - Decimal("1.5")
    response = client.post(url, {"direction": "spend", "hours": "2", "note": "兑换助浴"}, follow=True)
    page = _text(response)
    assert "时间余额不足：周青现有1.50小时，不能支取2.00小时" in page
    assert TimeBankEntry.objects.count() == 2
    assert 'data-testid="timebank-balance">1.50<' in page
    client.post(url, {"direction": "earn", "hours": "-5", "note": "负数"})
    assert TimeBankEntry.objects.count() == 2
    listing = _text(client.get("/eldercare/time-bank/"))
    assert volunteer.name in listing and "1.50" in listing

    client.force_login(personas["outsider"])
    assert volunteer.name not in _text(client.get("/eldercare/time-bank/"))
    assert client.get(url).status_code == 404


def test_menu_shows_the_new_pages_to_those_who_may_view(client, personas):
    client.force_login(personas["community_worker"])
    page = _text(client.get("/eldercare/adaptations/"))
    assert "/eldercare/time-bank/" in page and "/eldercare/adaptations/" in page

"""The re-rating page (调整待遇): the preview by programme and town with Chinese labels and thousands
separators, the confirm button for the district only. Two two-person urban 低保 households with no income,
decided in 2025-12 at (750 − 0) × 2 = 1,500.00, one in town A, one in town B; a standard of 1,500 from 2026-01
gives (1500 − 0) × 2 = 3,000.00 each: +1,500.00 a household, +3,000.00 in all."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from areas.models import Area
from programs.calculations import quote
from programs.models import Enrolment, Program, Rerate
from programs.services import enrolment_start, policy_parameter_set

pytestmark = pytest.mark.django_db
DEC_2025 = date(2025, 12, 1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pending(make, areas, grants):
    program = Program.objects.get(code="dibao")
    for area in (areas["community_a"], areas["community_b"]):
        household, _ = make.household(2, area=area)
        enrolment_start(acting_user=make.officer, program=program, household=household, start_month=DEC_2025,
                        quote=quote(program=program, household=household, month=DEC_2025))
    policy_parameter_set(acting_user=grants["district_officer"], program="dibao", key="standard_urban",
                         area_code="500000000000", value="1500", valid_from=date(2026, 1, 1), source="测试用文件")
    return Rerate.objects.get(status=Rerate.Status.PENDING)


def test_the_officer_sees_the_preview_and_confirms(pending, grants, areas):
    client = _client(grants["district_officer"])
    page = client.get("/programs/rerates/").content.decode()
    assert "调整待遇" in page and "政策参数调整" in page and "城市低保标准" in page and "2026年01月起" in page
    assert "3,000.00" in page and "1,500.00" in page
    for town in (areas["town_a"], areas["town_b"]):
        assert Area.objects.get(code=town).name in page
    assert 'data-testid="rerate-confirm"' in page
    assert "dibao" not in page and "pending" not in page and "standard_urban" not in page
    response = client.post(f"/programs/rerates/{pending.pk}/confirm/", follow=True)
    assert "已确认并完成调整" in response.content.decode()
    assert set(Enrolment.objects.values_list("monthly_amount", flat=True)) == {Decimal("3000.00")}
    assert "没有待确认的调整待遇" in client.get("/programs/rerates/").content.decode()


def test_a_town_officer_sees_it_without_a_button_and_cannot_confirm(pending, grants):
    client = _client(grants["town_officer"])
    page = client.get("/programs/rerates/").content.decode()
    assert "3,000.00" in page and 'data-testid="rerate-confirm"' not in page
    response = client.post(f"/programs/rerates/{pending.pk}/confirm/", follow=True)
    assert "确认失败" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Rerate.Status.PENDING

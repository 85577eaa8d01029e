"""The person page opens with 现享受待遇: each open enrolment of the person and their household, the amount, since
when, the next re-check (contributed by the assistance app), and the monthly total; ended ones are not listed."""

from datetime import date

import pytest
from django.test import Client

from assistance.models import Recheck

pytestmark = [pytest.mark.django_db]


def test_person_page_summarises_what_the_person_and_household_receive_now(roll, officer):
    household, (head, child) = roll.household(2)
    dibao = roll.enrol("dibao", "1234.00", household=household, start=date(2025, 7, 1))
    roll.enrol("gaoling", "100.00", person=child, start=date(2026, 2, 1))
    roll.enrol("tekun", "900.00", person=child, status="ended", end=date(2026, 1, 1))
    Recheck.objects.create(enrolment=dibao, area_id=dibao.area_id, kind="stable", due_on=date(2027, 7, 1))
    client = Client()
    client.force_login(officer)
    html = client.get(f"/persons/{child.pk}/").content.decode()
    card = html[html.index('data-testid="receives-now"'):].split("</ul>")[0]
    assert "最低生活保障" in card and "1,234.00" in card and "2025年7月" in card and "家庭享受" in card
    assert "下次复核：2027-07-01" in card
    assert "高龄津贴" in card and "100.00" in card
    assert "特困" not in card  # ended
    assert "每月合计 <strong>1,334.00</strong>" in card  # 1234 + 100, worked by hand


def test_person_without_benefits_says_so(roll, officer):
    person = roll.person("戊")
    client = Client()
    client.force_login(officer)
    html = client.get(f"/persons/{person.pk}/").content.decode()
    assert "目前未享受任何救助或补贴" in html

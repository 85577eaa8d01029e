"""The children's pages: the list (with the overdue visits), a child's page showing every allowance, case and
visit, the case page of a child's recognition, the network's coverage with its gaps, the adoptions."""

from datetime import date

import pytest
from django.test import Client

from children.care import home_visit_record
from children.network import network_role_appoint
from programs.calculations import quote
from programs.models import Program
from programs.services import enrolment_start

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_childs_page_shows_every_allowance_case_and_visit(kids, api, staff, clock):
    _, _, child, file = kids.child("页面儿童", "20150601", reasons=("imprisoned", "seriously_ill"))
    officer = staff["district_officer"]
    result = quote(program="de_facto_unattended", person=child, month=date(2026, 3, 1))
    enrolment_start(acting_user=officer, program=Program.objects.get(code="de_facto_unattended"), person=child,
                    start_month=date(2026, 3, 1), quote=result)
    case = api.submit("community_worker", {"program": "hardship_child", "person": child.pk})
    home_visit_record(acting_user=officer, file=file, visited_on=date(2026, 1, 5), findings="监护人照料良好")
    client = _client(staff["town_officer"])
    page = client.get(f"/children/{file.pk}/").content.decode()
    assert "事实无人抚养儿童基本生活补贴" in page and "监护人照料良好" in page and "困境儿童" in page
    assert "服刑在押" in page
    assert "de_facto_unattended" not in page  # labels, never codes
    listing = client.get("/children/").content.decode()
    assert "页面儿童" in listing and "超过走访期限" in listing  # the January visit is more than a month old
    # the recognition case opens on the application page like any other
    shown = client.get(f"/assistance/cases/{case['id']}/")
    assert shown.status_code == 200 and "困境儿童" in shown.content.decode()
    assert _client(staff["outsider"]).get(f"/children/{file.pk}/").status_code == 404


def test_coverage_and_adoption_pages(staff, areas, clock):
    network_role_appoint(acting_user=staff["district_officer"], kind="supervisor", area_code=areas["town_a"],
                         name="督导员甲", appointed_on=date(2025, 1, 1))
    page = _client(staff["district_officer"]).get("/children/network/").content.decode()
    assert "督导员甲" in page and "未建" in page
    assert _client(staff["district_officer"]).get("/children/adoptions/").status_code == 200
    assert _client(staff["community_worker"]).get("/children/adoptions/").status_code == 403

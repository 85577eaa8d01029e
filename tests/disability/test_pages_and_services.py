"""残疾人福利 pages (coverage by town with the lists, a disabled person's page) and the 精康融合 / 福康工程 services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from audit.models import ChangeLog
from disability.devices import device_apply, device_assess, device_follow_up, device_issue
from disability.models import DeviceApplication, RehabSite
from disability.rehab import rehab_participant_enrol, rehab_session_record
from tests.disability.conftest import FEB_2026

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(make):
    household, (person,) = make.household(1)
    make.dibao(household)
    make.certificate(person, 1, category="mental")
    make.enrol("disability_care", person, FEB_2026)
    return person


def test_the_coverage_page_lists_by_town_and_links_the_people(holder, make, personas, client, areas):
    missing = make.person("未享人员")
    make.certificate(missing, 2)
    client.force_login(personas["district_officer"])
    page = client.get("/disability/coverage/", {"month": "2026-02"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "残疾人两项补贴覆盖情况" in text and "小龙坎街道" in text
    assert "未享人员" in text and f"/disability/persons/{missing.pk}/" in text
    assert missing.id_number not in text  # masked
    assert "disability_care" not in text  # labels, never codes
    assert client.get("/disability/coverage/", {"month": "2026-02", "area": "999999999999"}).status_code == 404
    client.force_login(personas["outsider"])
    assert client.get("/disability/coverage/", {"area": areas["town_a"]}).status_code == 403


def test_the_person_page_shows_allowances_services_and_devices(holder, personas, client):
    officer = personas["district_officer"]
    site = RehabSite.objects.create(name="小龙坎精康融合站", area_id=holder.area_id)
    participant = rehab_participant_enrol(acting_user=officer, person=holder, site=site, joined_on=date(2026, 1, 5))
    rehab_session_record(acting_user=officer, participant=participant, held_on=date(2026, 1, 12),
                         activity="生活技能训练")
    application = device_apply(acting_user=officer, person=holder, device="轮椅", applied_on=date(2026, 1, 6),
                               fukang=True)
    client.force_login(officer)
    text = client.get(f"/disability/persons/{holder.pk}/").content.decode()
    for expected in ("精神残疾一级", "重度残疾人护理补贴", "110.00", "最低生活保障（低保）", "小龙坎精康融合站",
                     "生活技能训练", "轮椅", "已申请"):
        assert expected in text, expected
    assert application.status == DeviceApplication.Status.APPLIED
    client.force_login(personas["outsider"])
    assert client.get(f"/disability/persons/{holder.pk}/").status_code == 404


def test_rehab_services_refuse_bad_input_and_other_areas(holder, personas):
    officer = personas["district_officer"]
    site = RehabSite.objects.create(name="站点", area_id=holder.area_id)
    participant = rehab_participant_enrol(acting_user=officer, person=holder, site=site, joined_on=date(2026, 1, 5))
    with pytest.raises(ValidationError, match="已在"):
        rehab_participant_enrol(acting_user=officer, person=holder, site=site, joined_on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="服务期间"):
        rehab_session_record(acting_user=officer, participant=participant, held_on=date(2026, 1, 1), activity="训练")
    with pytest.raises(ValidationError, match="服务内容"):
        rehab_session_record(acting_user=officer, participant=participant, held_on=date(2026, 1, 9), activity=" ")
    with pytest.raises(PermissionDenied):
        rehab_session_record(acting_user=personas["outsider"], participant=participant, held_on=date(2026, 1, 9),
                             activity="训练")
    assert ChangeLog.objects.filter(reason="纳入精康融合服务").count() == 1


def test_device_steps_in_order(holder, make, personas):
    officer = personas["district_officer"]
    application = device_apply(acting_user=officer, person=holder, device="助听器", applied_on=date(2026, 1, 6))
    with pytest.raises(ValidationError, match="不能发放"):
        device_issue(acting_user=officer, application=application, issued_on=date(2026, 1, 7))
    device_assess(acting_user=officer, application=application, assessed_on=date(2026, 1, 8), suitable=True,
                  assessment="适配")
    device_issue(acting_user=officer, application=application, issued_on=date(2026, 1, 20))
    done = device_follow_up(acting_user=officer, application=application, follow_up_on=date(2026, 2, 20),
                            note="使用良好")
    assert (done.status, done.follow_up_note) == (DeviceApplication.Status.FOLLOWED_UP, "使用良好")
    with pytest.raises(ValidationError, match="残疾人证"):
        device_apply(acting_user=officer, person=make.person("无证"), device="轮椅", applied_on=date(2026, 1, 6))


def test_the_command_runs_the_check(holder, make, capsys):
    make.certificate(make.person("命令核查"), 2)
    call_command("disability_coverage_check", "--month", "2026-02")
    assert "重度残疾人护理补贴：自动纳入 0，提醒 1" in capsys.readouterr().out


def test_the_person_page_forms_record_through_the_services(holder, make, personas, client):
    officer = personas["community_worker"]
    site = RehabSite.objects.create(name="社区精康站", area_id=holder.area_id)
    rehab_participant_enrol(acting_user=officer, person=holder, site=site, joined_on=date(2026, 1, 5))
    client.force_login(officer)
    page = client.get(f"/disability/persons/{holder.pk}/").content.decode()
    assert 'data-testid="session-form"' in page and 'data-testid="device-form"' in page
    participant = holder.rehab_participations.get()
    response = client.post(f"/disability/persons/{holder.pk}/sessions/", {
        "participant": participant.pk, "held_on": "2026-01-19", "activity": "职业康复训练", "attended": "on"})
    assert response.status_code == 302 and participant.sessions.filter(activity="职业康复训练").exists()
    client.post(f"/disability/persons/{holder.pk}/devices/", {"device": "助行器", "applied_on": "2026-02-02"})
    assert DeviceApplication.objects.filter(person=holder, device="助行器", created_by=officer).exists()
    refused = client.post(f"/disability/persons/{holder.pk}/sessions/", {
        "participant": participant.pk, "held_on": "2025-01-01", "activity": "训练"}, follow=True)
    assert "服务日期不在该对象的服务期间内" in refused.content.decode()
    no_certificate = make.person("无证人员")
    client.post(f"/disability/persons/{no_certificate.pk}/devices/", {"device": "轮椅", "applied_on": "2026-02-02"})
    assert not DeviceApplication.objects.filter(person=no_certificate).exists()


def test_joining_a_rehab_site_from_the_person_page(holder, personas, client, areas):
    site = RehabSite.objects.create(name="本街道精康站", area_id=areas["town_a"])
    RehabSite.objects.create(name="外街道精康站", area_id=areas["town_b"])
    client.force_login(personas["community_worker"])
    page = client.get(f"/disability/persons/{holder.pk}/").content.decode()
    assert 'data-testid="join-form"' in page and "本街道精康站" in page and "外街道精康站" not in page
    client.post(f"/disability/persons/{holder.pk}/rehab/", {"site": site.pk, "joined_on": "2026-02-03"})
    assert holder.rehab_participations.get().site == site
    again = client.post(f"/disability/persons/{holder.pk}/rehab/", {"site": site.pk, "joined_on": "2026-02-04"},
                        follow=True)
    assert "已在“本街道精康站”接受服务" in again.content.decode()

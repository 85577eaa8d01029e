"""Cockpit and indicator pages: key figures with targets, the town leader sees only their town, not-collected
shown with what would feed it, the drill-down on the page equals the numerator, the export is logged."""

import pytest
from django.test import Client

from audit.models import AccessLog
from indicators.models import IndicatorValue
from tests.indicators.test_computed import cases  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def signed_in(user):
    c = Client()
    c.force_login(user)
    return c


def test_cockpit_for_the_district_leader(personas, areas):
    response = signed_in(personas["leader"]).get("/cockpit/", {"month": "2026-01"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "农村低保标准占城市低保标准比例" in text and "不低于85%（2025年）" in text
    assert "未达标" in text  # 81.82 % < 85 %
    assert "养老机构护理型床位占比" in text and "尚未采集" in text
    assert 'id="cockpit-data"' in text and "echarts.min.js" in text
    assert "小龙坎街道" in text and "沙坪坝街道" in text  # the town ranking
    assert "数字驾驶舱" in text  # nav item


def test_town_leader_cockpit_shows_only_their_town(cases, town_leader, areas):  # noqa: F811
    c = signed_in(town_leader)
    response = c.get("/cockpit/", {"month": "2026-01", "indicator": "applications_over_deadline"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "小龙坎街道" in text and "沙坪坝街道" not in text
    assert c.get("/cockpit/", {"area": areas["town_b"]}).status_code == 403
    assert c.get("/cockpit/", {"area": areas["district"]}).status_code == 403
    page = c.get("/cockpit/indicators/applications_over_deadline/", {"month": "2026-01"})
    value = IndicatorValue.objects.get(indicator_id="applications_over_deadline", area_code=areas["town_a"],
                                      period_start="2026-01-01")
    assert f'data-testid="records-count">{int(value.numerator)}<' in page.content.decode()


def test_others_are_refused(personas):
    assert signed_in(personas["town_officer"]).get("/cockpit/").status_code == 403
    assert signed_in(personas["community_worker"]).get("/cockpit/indicators/payroll_amount/").status_code == 403


def test_indicator_page_and_export(cases, personas, areas):  # noqa: F811
    c = signed_in(personas["district_officer"])
    page = c.get("/cockpit/indicators/applications_over_deadline/", {"month": "2026-01"})
    text = page.content.decode()
    assert "办结期限在当月且超期的申请数 ÷ 办结期限在当月的申请数 × 100%" in text
    assert 'data-testid="records-count">2<' in text
    assert "500106********" in text and "19800101" not in text  # ID numbers masked
    export = c.get("/cockpit/indicators/applications_over_deadline/xlsx/", {"month": "2026-01"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    log = AccessLog.objects.get(user=personas["district_officer"], kind="export")
    assert log.detail["indicator"] == "applications_over_deadline" and log.detail["rows"] == 2
    # A leader holds no export grant: the page shows the records but no export.
    assert signed_in(personas["leader"]).get("/cockpit/indicators/applications_over_deadline/xlsx/",
                                             {"month": "2026-01"}).status_code == 403


def test_not_collected_page(personas):
    text = signed_in(personas["leader"]).get("/cockpit/indicators/care_home_quality_rate/").content.decode()
    assert "尚未采集" in text and "机构质量检查记录" in text


def test_leader_desk_shows_key_figures(personas, town_leader):
    text = signed_in(personas["leader"]).get("/").content.decode()
    assert "本辖区关键指标（本月）" in text and "农村低保标准占城市低保标准比例（%）" in text
    assert "进入数字驾驶舱" in text
    # A town leader's desk shows the figures of their town (the district-only standards are not among them).
    town = signed_in(town_leader).get("/").content.decode()
    assert "本辖区关键指标（本月）" in town and "农村低保标准占城市低保标准比例" not in town
    assert "本辖区关键指标" not in signed_in(personas["town_officer"]).get("/").content.decode()


def test_standard_drill_down_shows_the_parameters_in_words(personas):
    text = signed_in(personas["leader"]).get("/cockpit/indicators/dibao_rural_urban_ratio/",
                                            {"month": "2026-01"}).content.decode()
    assert 'data-testid="records-count">2<' in text
    assert "城市低保标准 770元/人/月" in text and "standard_urban" not in text

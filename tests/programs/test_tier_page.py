"""分档救助金额 page: district staff see, per programme and area, whether tiers are in force (未启用分档 where
none), the history of an area's sets, and set a new set from a month with its source; row errors are shown on the
row, a refused set saves nothing, and only those who may change policy may set one."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import AmountTier
from programs.tiers import amount_tiers_set
from tests.demo.test_page_codes import CODE, RAW_ID, visible_text

pytestmark = pytest.mark.django_db
URL = reverse("tier-list")
SOURCE = "区民政局分档施保试行办法（测试）"


def _rows(*tiers) -> dict:
    data = {"tiers-TOTAL_FORMS": "5", "tiers-INITIAL_FORMS": "0", "tiers-MIN_NUM_FORMS": "0",
            "tiers-MAX_NUM_FORMS": "5"}
    for n, (low, high, amount) in enumerate(tiers):
        data.update({f"tiers-{n}-income_from": low, f"tiers-{n}-income_to": high, f"tiers-{n}-amount": amount})
    return data


def _post(areas, *tiers, **changes) -> dict:
    return {"program": "dibao", "area": areas["district"], "valid_from": "2026-01", "source": SOURCE,
            **_rows(*tiers), **changes}


def _row(html: str, n: int) -> str:
    start = html.index(f'data-testid="tier-row-{n}"')
    return html[start:html.index("</tr>", start)]


@pytest.fixture
def client_of(client):
    def _as(user):
        client.force_login(user)
        return client
    return _as


def test_nothing_set_reads_not_in_use_everywhere(client_of, personas, areas):
    response = client_of(personas["district_officer"]).get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "分档救助金额" in html and f'href="{URL}"' in html  # in the nav
    status = visible_text(html[html.index('data-testid="tier-status"'):html.index("</table>")])
    assert "沙坪坝区" in status and status.count("未启用分档") >= 3  # the district and its towns
    assert 'data-testid="tier-form"' in html
    text = visible_text(html)
    assert CODE.findall(text) == [] and RAW_ID.findall(text) == [], CODE.findall(text)


def test_a_district_officer_sets_tiers_and_the_page_shows_them_and_their_history(client_of, personas, areas):
    client = client_of(personas["district_officer"])
    first = client.post(URL, _post(areas, ("0", "300", "600"), ("300", "", "400")))
    assert first.status_code == 302 and first["Location"] == f"{URL}?program=dibao&area={areas['district']}"
    rows = list(AmountTier.objects.order_by("income_from"))
    assert [(t.area_code, t.income_from, t.income_to, t.amount, t.valid_from, t.valid_to, t.source, t.verified)
            for t in rows] == [
        (areas["district"], Decimal("0.00"), Decimal("300.00"), Decimal("600.00"), date(2026, 1, 1), None, SOURCE,
         False),
        (areas["district"], Decimal("300.00"), None, Decimal("400.00"), date(2026, 1, 1), None, SOURCE, False)]
    second = client.post(URL, _post(areas, ("0", "350", "620"), valid_from="2026-07", verified="on"))
    assert second.status_code == 302
    assert AmountTier.objects.filter(valid_to=date(2026, 6, 30)).count() == 2  # the first set ended, kept

    html = client.get(second["Location"]).content.decode()
    status = visible_text(html[html.index('data-testid="tier-status"'):html.index("</table>")])
    assert "分档（1档，2026年07月起）" in status and "沿用沙坪坝区分档（1档）" in status
    history = visible_text(html[html.index('data-testid="tier-history"'):html.index('data-testid="tier-form"')])
    assert history.index("2026年07月01日起") < history.index("2026年01月01日起至2026年06月30日")
    assert "620.00" in history and "600.00" in history and SOURCE in history and "未核实" in history


def test_town_view_shows_the_district_tiers_it_follows(client_of, personas, areas):
    amount_tiers_set(acting_user=personas["district_officer"], program="dibao", area_code=areas["district"],
                     valid_from=date(2026, 1, 1), tiers=[{"income_from": "0", "income_to": None, "amount": "500"}],
                     source=SOURCE)
    html = client_of(personas["town_officer"]).get(URL).content.decode()
    status = visible_text(html[html.index('data-testid="tier-status"'):html.index("</table>")])
    assert "沿用沙坪坝区分档（1档）" in status and "未启用分档" not in status
    assert status.count("沿用") == 1  # only the officer's own town is listed
    assert 'data-testid="tier-form"' not in html  # a town may look, not set


def test_an_invalid_row_is_named_on_its_fields_and_nothing_is_saved(client_of, personas, areas):
    client = client_of(personas["district_officer"])
    html = client.post(URL, _post(areas, ("0", "300", "600"), ("300", "200", ""))).content.decode()
    row = _row(html, 2)
    assert "第2档：请填写每人每月补助" in row and "第2档：上限应大于下限" in row
    assert "invalid-feedback" not in _row(html, 1)
    assert 'value="600"' in _row(html, 1)  # what was typed comes back
    empty = client.post(URL, _post(areas)).content.decode()
    assert "请至少填写一档" in empty
    no_source = client.post(URL, _post(areas, ("0", "", "500"), source="")).content.decode()
    assert "invalid-feedback" in no_source[no_source.index('name="source"'):no_source.index('name="verified"')]
    assert not AmountTier.objects.exists()


def test_a_refused_set_leaves_the_tiers_in_force_untouched(client_of, personas, areas):
    client = client_of(personas["district_officer"])
    assert client.post(URL, _post(areas, ("0", "", "500"))).status_code == 302
    overlap = client.post(URL, _post(areas, ("0", "400", "600"), ("300", "", "300"), valid_from="2026-07"))
    html = overlap.content.decode()
    assert overlap.status_code == 200 and "各档收入区间不能重叠" in html[html.index('data-testid="tier-errors"'):]
    earlier = client.post(URL, _post(areas, ("0", "", "450"), valid_from="2025-12")).content.decode()
    field = earlier[earlier.index('name="valid_from"'):earlier.index('name="source"')]
    assert "生效日期应晚于现行分档的生效日期（2026-01-01）" in field
    assert [(t.amount, t.valid_to) for t in AmountTier.objects.all()] == [(Decimal("500.00"), None)]


def test_only_those_who_may_change_policy_may_set_tiers(client_of, personas, areas):
    for who in ("town_officer", "community_worker"):
        response = client_of(personas[who]).post(URL, _post(areas, ("0", "", "500")))
        assert response.status_code == 403, who
    # an area outside the user's scope is not offered, and asking for it directly is not found
    outsider = client_of(personas["outsider"])
    assert outsider.get(URL, {"area": areas["district"]}).status_code == 404
    assert not AmountTier.objects.exists()

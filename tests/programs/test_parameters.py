"""Seeded programmes and parameters, the parameter in force, the most specific area, and edits with history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.services import user_create
from audit.models import ChangeLog
from audit.services import history_of
from programs.calculations import quote
from programs.models import CHONGQING, PolicyParameter, Program
from programs.selectors import ParameterNotFound, parameter_at, parameters_of
from programs.services import policy_parameter_set
from tests.conftest import PASSWORD
from tests.programs.conftest import FEB_2026

pytestmark = pytest.mark.django_db
D = Decimal
COMMUNITY = "500106001001"


def test_the_five_programmes_are_seeded_with_their_unit_and_exclusions():
    programs = {p.code: p for p in Program.objects.all()}
    assert {"dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu", "linshi"} <= set(programs)
    assert programs["tekun"].unit == "person" and programs["dibao"].unit == "household"
    assert not programs["linshi"].recurring
    # symmetrical: tekun excludes dibao and dibao excludes tekun
    assert "dibao" in {p.code for p in programs["tekun"].excludes.all()}
    assert "tekun" in {p.code for p in programs["dibao"].excludes.all()}
    assert not programs["linshi"].excludes.exists()


def test_seeded_programmes_name_registered_functions():
    for program in Program.objects.all():
        program.full_clean()  # Program.clean refuses keys no function is registered under


@pytest.mark.parametrize(("program", "key", "month", "value", "source"), [
    ("dibao", "standard_urban", date(2024, 8, 1), "735", "渝民发〔2023〕10号"),
    ("dibao", "standard_urban", date(2024, 10, 1), "750", "渝民发〔2024〕9号"),
    ("dibao", "standard_urban", date(2026, 2, 1), "770", "渝民规〔2025〕6号"),
    ("dibao", "standard_rural", date(2024, 8, 1), "600", "渝民发〔2023〕10号"),
    ("dibao", "standard_rural", date(2025, 1, 1), "610", "渝民发〔2024〕9号"),
    ("dibao", "standard_rural", date(2026, 2, 1), "630", "渝民规〔2025〕6号"),
    ("tekun", "tekun_standard", date(2026, 2, 1), "1001", "渝民规〔2025〕6号"),
    ("tekun", "care_full", date(2026, 2, 1), "500", "渝民发〔2024〕9号"),
    ("tekun", "care_half", date(2024, 9, 1), "300", "渝民发〔2024〕9号"),
    ("tekun", "care_self", date(2024, 8, 1), "50", "渝民发〔2024〕9号所列调整前标准"),
])
def test_parameter_in_force_in_a_month(program, key, month, value, source):
    row = parameter_at(program, key, COMMUNITY, month)
    assert (row.value, row.source, row.area_code) == (D(value), source, CHONGQING)


def test_seeded_periods_are_contiguous_and_dates_marked_as_assumed():
    rows = list(PolicyParameter.objects.filter(key="standard_urban").order_by("valid_from"))
    assert [(r.valid_from, r.valid_to) for r in rows] == [
        (date(2023, 9, 1), date(2024, 8, 31)), (date(2024, 9, 1), date(2025, 12, 31)), (date(2026, 1, 1), None)]
    assert all("推定" in r.note for r in rows)


ASSISTANCE = ("dibao", "tekun", "dibao_bianyuan", "gangxing_zhichu", "linshi")


def test_unverified_seeds_are_marked():
    unverified = set(PolicyParameter.objects.filter(verified=False, program__code__in=ASSISTANCE)
                     .exclude(key__startswith="deadline_")
                     .exclude(key__startswith="publicity_days").values_list("key", flat=True))
    assert unverified == {"tekun_multiplier", "bianyuan_multiplier", "town_limit", "disposable_income",
                          "rigid_ratio", "payment_day"}
    placeholder = PolicyParameter.objects.get(key="disposable_income")
    assert "占位值" in placeholder.note


def test_missing_parameter_names_key_area_and_month():
    with pytest.raises(ParameterNotFound) as exc:
        parameter_at("dibao", "standard_urban", COMMUNITY, date(2023, 8, 1))
    message = exc.value.messages[0]
    assert "standard_urban" in message and COMMUNITY in message and "2023年08月" in message


def test_general_parameters_have_no_programme():
    assert parameter_at(None, "phase_out_max_months", COMMUNITY, FEB_2026).value == 6
    with pytest.raises(ParameterNotFound):
        parameter_at("dibao", "phase_out_max_months", COMMUNITY, FEB_2026)


def test_parameters_of_lists_history_or_one_month():
    assert parameters_of("dibao", key="standard_urban").count() == 3
    in_force = parameters_of("dibao", month=date(2024, 10, 1))
    standards = {(r.key, r.value) for r in in_force if r.key.startswith("standard_")}
    assert standards == {("standard_urban", D("750")), ("standard_rural", D("610"))}


# ---- policy_parameter_set ----------------------------------------------------------------------------------

def _set(user, value, valid_from, area_code=CHONGQING, key="standard_urban", program="dibao", **kw):
    return policy_parameter_set(acting_user=user, program=program, key=key, area_code=area_code, value=value,
                                valid_from=valid_from, source=kw.pop("source", "渝民规〔2026〕1号（测试）"), **kw)


def test_a_new_value_end_dates_the_old_row_and_keeps_both(grants):
    officer = grants["district_officer"]
    old = PolicyParameter.objects.get(key="standard_urban", valid_to__isnull=True)
    new = _set(officer, D("790"), date(2027, 1, 1))
    old.refresh_from_db()
    assert old.valid_to == date(2026, 12, 31) and old.value == D("770")  # value untouched
    assert (new.value, new.valid_to, new.created_by) == (D("790"), None, officer)
    assert parameter_at("dibao", "standard_urban", COMMUNITY, date(2026, 12, 1)).pk == old.pk
    assert parameter_at("dibao", "standard_urban", COMMUNITY, date(2027, 1, 1)).pk == new.pk
    assert PolicyParameter.objects.filter(key="standard_urban").count() == 4
    [end_log] = history_of(old)
    assert end_log.action == ChangeLog.Action.UPDATE and end_log.user == officer
    assert (end_log.before["valid_to"], end_log.after["valid_to"]) == (None, "2026-12-31")
    assert history_of(new).get().action == ChangeLog.Action.CREATE


def test_a_same_day_correction_empties_the_wrong_row_but_keeps_it(grants):
    officer = grants["district_officer"]
    wrong = _set(officer, D("709"), date(2027, 1, 1))
    right = _set(officer, D("790"), date(2027, 1, 1))
    wrong.refresh_from_db()
    assert wrong.valid_to == date(2026, 12, 31) and wrong.valid_to < wrong.valid_from
    assert parameter_at("dibao", "standard_urban", COMMUNITY, date(2027, 1, 1)).pk == right.pk
    assert PolicyParameter.objects.filter(key="standard_urban").count() == 5


def test_a_value_cannot_start_before_the_one_in_force(grants):
    with pytest.raises(ValidationError) as exc:
        _set(grants["district_officer"], D("790"), date(2025, 6, 1))
    assert "valid_from" in exc.value.message_dict
    assert PolicyParameter.objects.filter(key="standard_urban").count() == 3


def test_the_most_specific_area_wins(grants):
    district = _set(grants["district_officer"], D("800"), date(2026, 1, 1), area_code="500106000000",
                    source="沙坪坝区文件（测试）")
    assert parameter_at("dibao", "standard_urban", COMMUNITY, FEB_2026).pk == district.pk
    # another district (涪陵) still gets the city figure
    assert parameter_at("dibao", "standard_urban", "500102001001", FEB_2026).value == D("770")


def test_the_quote_uses_the_district_override(grants, make):
    _set(grants["district_officer"], D("800"), date(2026, 1, 1), area_code="500106000000")
    household, _ = make.household(1)
    assert quote(program="dibao", household=household, month=FEB_2026).monthly_amount == D("800.00")


def test_only_holders_of_the_policy_grant_may_set(grants):
    with pytest.raises(PermissionDenied):
        _set(grants["town_officer"], D("790"), date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        _set(grants["town_reviewer"], D("790"), date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        _set(grants["leader"], D("790"), date(2027, 1, 1))
    # A district approver may set a standard (issue 9 contract); the re-rating it causes waits for confirmation.
    assert _set(grants["district_approver"], D("790"), date(2027, 1, 1)).value == D("790")


def test_a_town_level_holder_may_set_only_inside_their_town(grants, areas):
    town_user = user_create(username="town_policy", password=PASSWORD, roles=["district_officer"],
                            area_code=areas["town_a"], validate=False)
    with pytest.raises(PermissionDenied):
        _set(town_user, D("790"), date(2027, 1, 1))  # the city row
    with pytest.raises(PermissionDenied):
        _set(town_user, D("790"), date(2027, 1, 1), area_code=areas["town_b"])
    row = _set(town_user, D("790"), date(2027, 1, 1), area_code=areas["town_a"])
    assert row.area_code == areas["town_a"]


@pytest.mark.parametrize(("field", "kwargs"), [
    ("area_code", {"area_code": "500106"}),
    ("value", {"value": D("-1")}),
    ("value", {"value": D("1.23456")}),
    ("value", {"value": "abc"}),
    ("source", {"source": "  "}),
    ("key", {"key": "标准"}),
    ("valid_from", {"valid_from": "2027-01-01"}),
])
def test_bad_input_names_the_field_and_saves_nothing(grants, field, kwargs):
    args = {"value": D("790"), "valid_from": date(2027, 1, 1), **kwargs}
    with pytest.raises(ValidationError) as exc:
        _set(grants["district_officer"], **args)
    assert field in exc.value.message_dict
    assert PolicyParameter.objects.filter(valid_from=date(2027, 1, 1)).count() == 0


def test_a_verified_false_entry_shows_in_quotes(grants, make):
    _set(grants["district_officer"], D("780"), date(2026, 2, 1), verified=False)
    household, _ = make.household(1)
    result = quote(program="dibao", household=household, month=FEB_2026)
    assert result.unverified
    assert "低保标准（城市，渝民规〔2026〕1号（测试））（未核实）" in dict(result.lines)

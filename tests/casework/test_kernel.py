"""The case kernel below the API: working days left across an unpublished year, the recompute after a calendar
entry (once per transaction, never stuck after a rollback), the order of refusals, close-relative register."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from assistance.services import application_accept, application_submit
from casework import signals
from casework.deadlines import case_deadlines_recompute, working_days_left
from casework.models import Case, CloseRelativeDeclaration
from casework.selectors import close_relatives_visible
from casework.services import case_check, close_relative_declare, close_relative_end
from workcalendar.models import CalendarDay, CalendarYear, DayKind

pytestmark = pytest.mark.django_db

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"


def test_working_days_left_counts_an_unpublished_year_on_weekdays():
    # 21 Dec 2026 (Mon) → 8 Jan 2027 (Fri): 8 working days left in 2026 (22–25, 28–31 Dec), 6 weekdays in 2027
    assert working_days_left(date(2026, 12, 21), date(2027, 1, 8)) == (14, True)
    # a CalendarDay already entered for the unpublished year counts, as in add_working_days_provisional
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", source=NOTICE)
    assert working_days_left(date(2026, 12, 21), date(2027, 1, 8)) == (13, True)
    assert working_days_left(date(2027, 1, 8), date(2026, 12, 21)) == (-13, True)
    assert working_days_left(date(2026, 3, 2), date(2026, 3, 9)) == (5, False)


@pytest.fixture
def provisional_case(staff, families, clock, settings):
    settings.MINZHENG_ASSISTANCE_VARIANT = "national"  # 30 working days: the count that runs into 2027
    clock.set(date(2026, 12, 15))
    household, _ = families.household(["年末户"])
    case = application_submit(acting_user=staff["town_officer"], program="dibao", household=household)
    return application_accept(acting_user=staff["town_officer"], case=case)


def test_recompute_touches_only_provisional_open_cases(provisional_case):
    assert provisional_case.deadline_provisional is True and provisional_case.due("overall_due") == date(2027, 1, 26)
    assert case_deadlines_recompute() == 0  # nothing published yet: nothing changes
    CalendarYear.objects.create(year=2027, source=NOTICE, published_on=date(2026, 11, 10))
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", source=NOTICE)
    assert case_deadlines_recompute() == 1
    provisional_case.refresh_from_db()
    assert (provisional_case.due("overall_due"), provisional_case.deadline_provisional) == (date(2027, 1, 27), False)
    assert provisional_case.deadline_rows["overall_due"].basis["provisional"] is False


def test_calendar_entries_schedule_one_recompute_per_transaction(provisional_case, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    runs = []
    monkeypatch.setattr("casework.deadlines.case_deadlines_recompute", lambda: runs.append(1) or 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        CalendarYear.objects.create(year=2027, source=NOTICE, published_on=date(2026, 11, 10))
        for day in (1, 2, 3):
            CalendarDay.objects.create(date=date(2027, 1, day), kind=DayKind.HOLIDAY, name="元旦", source=NOTICE)
    assert len([c for c in callbacks if c is signals._run]) == 1 and runs == [1]


def test_a_rolled_back_calendar_entry_does_not_block_later_recomputes(provisional_case, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    runs = []
    monkeypatch.setattr("casework.deadlines.case_deadlines_recompute", lambda: runs.append(1) or 0)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                CalendarYear.objects.create(year=2027, source=NOTICE, published_on=date(2026, 11, 10))
                raise RuntimeError("管理员取消")
        except RuntimeError:
            pass
        CalendarYear.objects.create(year=2027, source=NOTICE, published_on=date(2026, 11, 10))
    assert runs == [1]


def test_refusals_come_in_order_unknown_step_then_permission_then_order(staff, provisional_case):
    with pytest.raises(ValidationError, match="不包括“群众评议”环节") as unknown:
        case_check(case=Case(workflow="dibao.national", state="verified", area_id=provisional_case.area_id),
                   action="evaluate", acting_user=staff["town_officer"], label="群众评议")
    assert "全国规则" in str(unknown.value)
    with pytest.raises(PermissionDenied, match="无“审核确认”权限"):
        case_check(case=provisional_case, action="confirm", acting_user=staff["town_officer"])
    with pytest.raises(ValidationError, match="办理顺序不符"):
        case_check(case=provisional_case, action="confirm", acting_user=staff["district_approver"])


def test_close_relative_register(staff, families, areas):
    _, (person,) = families.household(["登记户"])
    with pytest.raises(PermissionDenied):
        close_relative_declare(acting_user=staff["town_reviewer"], relative=person, relation="spouse",
                               staff=staff["town_officer"])
    with pytest.raises(ValidationError, match="二者选一"):
        close_relative_declare(acting_user=staff["town_officer"], relative=person, relation="spouse",
                               staff=staff["town_officer"], committee_member_name="某村委")
    with pytest.raises(ValidationError, match="relation"):
        close_relative_declare(acting_user=staff["town_officer"], relative=person, relation="cousin",
                               staff=staff["town_officer"])
    declaration = close_relative_declare(acting_user=staff["town_officer"], relative=person, relation="parent",
                                         staff=staff["town_officer2"])
    with pytest.raises(ValidationError, match="相同的近亲属备案"):
        close_relative_declare(acting_user=staff["town_officer"], relative=person, relation="parent",
                               staff=staff["town_officer2"])
    assert list(close_relatives_visible(staff["town_officer"])) == [declaration]
    assert not close_relatives_visible(staff["outsider"]).exists()
    with pytest.raises(ValidationError, match="撤销原因"):
        close_relative_end(acting_user=staff["town_officer"], declaration=declaration, reason="")
    close_relative_end(acting_user=staff["town_officer"], declaration=declaration, reason="该工作人员已调离")
    assert CloseRelativeDeclaration.objects.get().is_active is False  # kept, not deleted


def test_a_case_that_cannot_be_recomputed_is_logged_and_the_others_go_on(staff, families, clock, monkeypatch,
                                                                         caplog, settings):
    settings.MINZHENG_ASSISTANCE_VARIANT = "national"  # 30 working days: the count that runs into 2027
    clock.set(date(2026, 12, 15))
    cases = []
    for name in ("甲户", "乙户"):
        household, _ = families.household([name])
        case = application_submit(acting_user=staff["town_officer"], program="dibao", household=household)
        cases.append(application_accept(acting_user=staff["town_officer"], case=case))
    CalendarYear.objects.create(year=2027, source=NOTICE, published_on=date(2026, 11, 10))
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", source=NOTICE)
    real = __import__("casework.deadlines", fromlist=["parameter_or_default"]).parameter_or_default

    def failing_for_the_first(program, key, area_code, month):
        if key == "deadline_overall_wd" and failing_for_the_first.calls == 0:
            failing_for_the_first.calls += 1
            raise ValidationError("未找到政策参数 deadline_overall_wd")
        return real(program, key, area_code, month)

    failing_for_the_first.calls = 0
    monkeypatch.setattr("casework.deadlines.parameter_or_default", failing_for_the_first)
    assert case_deadlines_recompute() == 1
    assert f"案件{cases[0].pk}的暂定期限未能重新计算" in caplog.text
    assert Case.objects.get(pk=cases[0].pk).deadline_provisional is True
    assert Case.objects.get(pk=cases[1].pk).deadline_provisional is False

"""`case_take` and the deadline rows with a case type declared here, in the test: three states, two transitions,
one deadline and one hook — no kernel code — go from application to decision with the kernel's checks, audit,
event, timeline and CaseDeadline rows (written, moved across a holiday calendar published later, closed)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.services import user_create
from audit.models import ChangeLog, DomainEvent
from casework import workflows
from casework.deadlines import case_deadlines_recompute
from casework.models import Case, CaseDeadline
from casework.services import case_open, case_take
from casework.workflows import TOWN, DeadlineRule, Outcome, Transition, Workflow, register_action
from programs.models import PolicyParameter
from tests.assistance.conftest import working_days_after
from tests.conftest import DISTRICT, PASSWORD
from workcalendar.models import CalendarDay, CalendarYear, DayKind

pytestmark = pytest.mark.django_db

NAMING = Workflow(
    code="test_naming", name="测试用命名申请", resource="application", program=None,
    states={"submitted": "已申请", "accepted": "已受理（待决定）", "decided": "已决定"},
    initial="submitted", terminal=frozenset({"decided"}),
    transitions=(
        Transition("accept", "受理", ("submitted",), "accepted", "accept", (TOWN,), queue=True,
                   stamps=("accepted_on",)),
        Transition("decide", "作出决定", ("accepted",), "decided", "confirm", separate_from=("accept",),
                   separation_rule="职责分离：受理人员不得作出决定"),
    ),
    deadlines=(DeadlineRule("decision_due", "test_decision_wd", ("accepted_on",), "决定期限"),),
    state_deadlines={"accepted": ("decision_due",)},
    sequence="申请 → 受理 → 作出决定",
)


@pytest.fixture
def naming(monkeypatch, staff, areas, families, clock):
    """The test workflow registered (and removed afterwards), its one deadline figure, and a case opened."""
    monkeypatch.setitem(workflows._REGISTRY, NAMING.code, NAMING)
    hooks = dict(workflows._HOOKS)
    PolicyParameter.objects.create(program=None, key="test_decision_wd", area_code=DISTRICT, value=5,
                                   valid_from=date(2020, 1, 1), source="测试用期限规定")
    household, _ = families.household(["命名申请人"])
    case = case_open(acting_user=staff["town_officer"], workflow=NAMING, area_code=household.area_id,
                     fields={"household": household, "applicant": household.members.first().person},
                     message="提交命名申请")
    yield case
    workflows._HOOKS.clear()
    workflows._HOOKS.update(hooks)


def test_a_declared_case_type_runs_through_case_take_with_deadline_rows(naming, staff, clock):
    decided = []

    @register_action("decide", workflows=[NAMING.code])
    def _decide(*, case, acting_user, params, transition):
        decided.append(params["name"])
        name = params["name"]
        return Outcome(message=f"决定：准予命名“{name}”", note=name, params={"name": name})

    assert (naming.state, naming.next_due, CaseDeadline.objects.filter(case=naming).count()) == ("submitted", None, 0)
    # a town officer who also holds the district approver's grant (a district that delegates decisions)
    both = user_create(username="both", password=PASSWORD, roles=["town_officer", "district_approver"],
                       area_code=naming.area_id[:9].ljust(12, "0"), validate=False)
    clock.set(date(2026, 9, 30))  # the count runs over the National Day holidays
    case = case_take(case=naming, action="accept", acting_user=both, params={"note": "材料齐全"})
    due = working_days_after(date(2026, 9, 30), 5)
    assert due > date(2026, 10, 8) and (case.state, case.accepted_on, case.next_due) == ("accepted", date(2026, 9, 30),
                                                                                          due)
    row = CaseDeadline.objects.get(case=case)
    assert (row.kind, row.label, row.due, row.provisional, row.closed_at) == ("decision_due", "决定期限", due, False,
                                                                              None)
    assert (row.basis["working_days"], row.basis["from"], row.basis["source"]) == (5, "2026-09-30", "测试用期限规定")
    assert case.steps.get(action="accept").note == "材料齐全"

    # duty separation declared on the transition: who accepted may not decide, although holding the grant
    with pytest.raises(PermissionDenied, match="受理人员不得作出决定"):
        case_take(case=case, action="decide", acting_user=both, params={"name": "甲"})
    assert decided == [] and Case.objects.get(pk=case.pk).state == "accepted"

    done = case_take(case=case, action="decide", acting_user=staff["district_approver"], params={"name": "滨江路"})
    assert decided == ["滨江路"] and (done.state, done.next_due, done.closed_at is not None) == ("decided", None, True)
    assert CaseDeadline.objects.get(case=case).closed_at == done.closed_at  # kept, marked closed
    assert done.outcome.note == "滨江路" and done.steps.get(action="decide").params == {"name": "滨江路"}
    event = DomainEvent.objects.filter(type="case_step", params__action="decide").get()  # one type for every step
    assert event.message == "决定：准予命名“滨江路”" and event.params["to_state"] == "decided"
    assert ChangeLog.objects.filter(object_id=str(case.pk), reason="作出决定").exists()


def test_case_take_refuses_in_the_kernel_order(naming, staff):
    with pytest.raises(ValidationError, match="不包括“公示”环节"):
        case_take(case=naming, action="publish", acting_user=staff["town_officer"], label="公示")
    with pytest.raises(PermissionDenied, match="作出决定"):  # no confirm grant
        case_take(case=naming, action="decide", acting_user=staff["town_officer"])
    at_district = user_create(username="dto", password=PASSWORD, roles=["town_officer"], area_code=DISTRICT,
                              validate=False)
    with pytest.raises(PermissionDenied, match="职责分工"):  # accept is a town step, whoever holds the grant
        case_take(case=naming, action="accept", acting_user=at_district)
    with pytest.raises(ValidationError, match="办理顺序不符"):
        case_take(case=naming, action="decide", acting_user=staff["district_approver"])
    # without a hook the step is still recorded: a case type needs no code beyond its declaration
    case = case_take(case=naming, action="accept", acting_user=staff["town_officer"])
    assert case.state == "accepted" and case.outcome.record is None


def test_provisional_deadline_row_is_recomputed_when_the_year_is_published(naming, staff, clock):
    clock.set(date(2026, 12, 28))  # Monday; 5 working days run into 2027, whose calendar is not published yet
    case = case_take(case=naming, action="accept", acting_user=staff["town_officer"])
    row = CaseDeadline.objects.get(case=case)
    assert (row.due, row.provisional, case.deadline_provisional) == (date(2027, 1, 4), True, True)
    CalendarYear.objects.create(year=2027, source="节假日安排通知", published_on=date(2026, 11, 10))
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", source="节假日安排通知")
    assert case_deadlines_recompute() == 1
    row.refresh_from_db()
    case.refresh_from_db()
    assert (row.due, row.provisional, case.next_due, case.deadline_provisional) == (date(2027, 1, 5), False,
                                                                                   date(2027, 1, 5), False)

"""An upgrade keeps every case's data: a case written with the old schema (deadlines and the social-assistance
columns on the kernel Case) comes out of casework 0002/0003 and assistance 0007 with its CaseDeadline rows
and its assistance.Application holding the same values. (The migrations' reverse functions put the values back
on the case; that round trip is not run here, each migration pass costing tens of seconds on SQLite.)"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# serialized_rollback (as every transactional test here): the data the migrations seed is restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OLD = [("casework", "0001_initial"), ("assistance", "0006_recheck_trigger_data")]
BASIS = {"label": "办结期限", "key": "deadline_overall_extended_wd", "working_days": 45, "from": "2026-03-02",
         "due": "2026-05-08", "provisional": True, "source": "《最低生活保障审核确认办法》第二十二条",
         "verified": True, "parameter": 1}
APPLICATION = {"authorised_data_check": True, "authorised_at": datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
               "missing_materials": ["户口簿复印件"], "materials_requested_on": date(2026, 2, 27),
               "restarted_on": date(2026, 3, 20), "confirmation_base_on": date(2026, 3, 30), "extended": True,
               "extension_reason": "情况复杂", "monthly_amount": Decimal("540.00"),
               "calculation": {"review": {"monthly_amount": "540.00"}}, "advance_approved_on": date(2026, 3, 3),
               "decision_reasons": "理由"}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_upgrade_moves_deadlines_to_rows_and_columns_to_the_application(areas, personas):
    executor = _migrate(OLD)
    try:
        Case = executor.loader.project_state(OLD).apps.get_model("casework", "Case")
        old = Case.objects.create(
            workflow="dibao.chongqing", variant="chongqing", program_id="dibao", area_id=areas["community_a"],
            submitted_by_id=personas["town_officer"].pk, state="publicised", accepted_on=date(2026, 3, 2),
            investigation_due=date(2026, 3, 5), confirmation_due=date(2026, 4, 14), overall_due=date(2026, 5, 8),
            next_due=date(2026, 4, 14), deadline_basis={"overall_due": BASIS}, deadline_provisional=True,
            authorised_recorded_by_id=personas["town_officer"].pk, **APPLICATION)
        _migrate(_leaves())

        from assistance.models import Application
        from casework.models import Case as CurrentCase
        from casework.models import CaseDeadline

        case = CurrentCase.objects.get(pk=old.pk)
        assert (case.next_due, case.deadline_provisional) == (date(2026, 4, 14), True)
        rows = {r.kind: r for r in CaseDeadline.objects.filter(case=case)}
        assert {k: r.due for k, r in rows.items()} == {"investigation_due": date(2026, 3, 5),
                                                       "confirmation_due": date(2026, 4, 14),
                                                       "overall_due": date(2026, 5, 8)}
        assert (rows["overall_due"].basis, rows["overall_due"].provisional) == (BASIS, True)
        assert (rows["investigation_due"].label, rows["investigation_due"].provisional) == ("启动调查期限", False)
        application = Application.objects.get(case=case)
        assert {k: getattr(application, k) for k in APPLICATION} == APPLICATION
        assert application.authorised_recorded_by_id == personas["town_officer"].pk
        assert case.due("overall_due") == date(2026, 5, 8) and case.application.extended is True
    finally:
        _migrate(_leaves())

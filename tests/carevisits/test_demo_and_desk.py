"""Demo data (load_demo → demo.carevisits) and the community worker's desk block: the roster with visits this
week, people still to reach, meters with alarms and one offline."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from carevisits.models import MeterAlert, RosterEntry, Visit
from tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=3000, cases=0, seed=20261101, allow_non_debug=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_roster_visits_and_meters(demo):
    from accounts.models import User

    worker = User.objects.get(username="community_worker")
    assert "探访关爱演示数据" in demo
    community = RosterEntry.objects.filter(area_id=worker.area_id, active=True)
    assert community.count() >= 8
    visited = set(Visit.objects.filter(area_id=worker.area_id).values_list("entry_id", flat=True))
    assert visited and len(visited) < community.count()  # some still to reach this week
    open_alerts = set(MeterAlert.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    assert open_alerts == {"no_use", "continuous", "offline"}
    assert Task.objects.filter(kind="meter_offline").count() == 1
    assert Task.objects.filter(source_type="carevisits.visit").exists()  # the need found on a visit


def test_desk_lists_people_not_visited_this_week(demo, client):
    from accounts.models import User

    worker = User.objects.get(username="community_worker")
    client.force_login(worker)
    page = client.get("/").content.decode()
    assert "本周待探访的老年人" in page and "水表告警未恢复" in page
    not_visited = RosterEntry.objects.filter(area_id=worker.area_id, active=True).exclude(
        pk__in=Visit.objects.values("entry_id")).select_related("person").first()
    assert not_visited.person.name in page


def test_district_desk_count_from_the_weeks_cells_equals_the_live_count(demo):
    """The district's figure is added up from the compliance cells once the week has them; same number."""
    from django.utils import timezone

    from accounts.models import User
    from carevisits.desk import not_visited_this_week
    from carevisits.models import ComplianceCell
    from carevisits.selectors import Week, not_reached
    from carevisits.snapshot import compliance_snapshot_refresh

    officer = User.objects.get(username="district_officer")
    today = timezone.localdate()
    week = Week.of(today)
    live = not_reached(officer, week).count()
    assert live > 10  # more than the list shows, so the figure is a count, not the list's length

    def figure() -> int:
        return dict((label, n) for label, n, _ in not_visited_this_week(officer, today).figures)["本周未探访到"]

    ComplianceCell.objects.filter(week=week.monday).delete()
    assert figure() == live  # no cells yet this week: counted live
    compliance_snapshot_refresh(week=week)
    assert ComplianceCell.objects.filter(week=week.monday).exists()
    assert figure() == live
    # A community's cells rewritten with one fewer unreached (as a visit does): the figure follows the cells.
    cell = ComplianceCell.objects.filter(week=week.monday, unreached__gt=0).first()
    ComplianceCell.objects.filter(pk=cell.pk).update(unreached=cell.unreached - 1)
    assert figure() == live - 1

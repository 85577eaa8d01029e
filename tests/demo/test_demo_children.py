"""Children's demo data (demo.children via load_demo): children in each category, allowances enrolled at the
figures in force, recognitions waiting, child directors in most but not all communities; a re-run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from areas.models import Area
from casework.models import Case
from children.models import ChildFile, NetworkRole
from demo.children import demo_children_load
from programs.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", persons=3000, cases=10, seed=20261101, allow_non_debug=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_children_in_each_category(demo):
    assert "儿童福利演示数据：儿童档案" in demo
    enrolled = set(Enrolment.objects.filter(program__workflow="children").values_list("program_id", flat=True))
    assert enrolled == {"orphan", "de_facto_unattended", "hardship_child", "left_behind_child", "migrant_child"}
    assert Case.objects.filter(program_id="de_facto_unattended", closed_at__isnull=True).count() == 2
    placements = set(ChildFile.objects.values_list("placement", flat=True))
    assert placements == {"institution", "family"}


def test_directors_in_most_not_all_communities(demo):
    communities = Area.objects.filter(level="community").count()
    with_director = NetworkRole.objects.filter(kind="director", ended_on__isnull=True).values("area").distinct()
    assert communities * 0.7 < with_director.count() < communities


def test_a_rerun_adds_nothing(demo):
    from datetime import date
    assert demo_children_load(today=date(2026, 3, 2)).children == 0

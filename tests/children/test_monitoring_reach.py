"""Department feeds reach the children: the existing 户籍 rule (`hukou_moved_out_enrolled`, condition
"enrolled in any programme") flags a child holding the 孤儿 allowance and brings its re-check forward (the
children's programmes are re-checked programmes); a recorded parent's death (a 公安 death feed records it through
the registry) re-checks the child's 事实无人抚养 allowance, since the reason has changed."""

from datetime import date

import pytest

from assistance.models import Recheck
from children.services import child_file_record, parent_situation_record
from monitoring.models import Warning
from registry.services import household_create, person_create, person_record_death
from tests.conftest import make_id
from tests.monitoring.conftest import enrol, upload  # noqa: F401  (fixtures)
from tests.monitoring.test_new_rules import row

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(personas, areas):
    officer = personas["district_officer"]
    kid = person_create(acting_user=officer, name="小孤", area_code=areas["community_a"],
                        id_number=make_id("500106", "20150303", 71), birth_date=date(2015, 3, 3))
    household_create(acting_user=officer, area_code=areas["community_a"], hukou_type="urban",
                     members=[{"person": kid, "relation": "head"}])
    return kid


def test_the_hukou_rule_reaches_an_enrolled_child(child, areas, upload):  # noqa: F811
    enrolment = enrol(person=child, program="orphan", area=areas["community_a"])
    upload("hukou", [row(child, change_type="move_out", destination_code="500103")])
    assert Warning.objects.filter(rule__code="hukou_moved_out_enrolled", person=child).exists()
    assert Recheck.objects.filter(enrolment=enrolment, status="due", trigger="data").exists()


def test_a_parents_death_rechecks_the_child(child, areas, personas):
    officer = personas["district_officer"]
    father = person_create(acting_user=officer, name="父亲", area_code=areas["community_a"],
                           id_number=make_id("500106", "19800101", 73))
    enrolment = enrol(person=child, program="de_facto_unattended", area=areas["community_a"])
    file = child_file_record(acting_user=officer, person=child)
    parent_situation_record(acting_user=officer, file=file, role="father", reason="imprisoned", evidence="服刑证明",
                            since=date(2024, 1, 1), parent=father)
    assert not Recheck.objects.filter(enrolment=enrolment).exists()
    person_record_death(acting_user=officer, person=father, death_date=date(2026, 1, 2))
    recheck = Recheck.objects.get(enrolment=enrolment, status="due")
    assert "父亲（父亲）死亡" in recheck.note

"""GB/T 42195-2022 levels from the seeded standard: every band boundary and each 等级变更 rule."""

import pytest

from eldercare.scoring import final_level, score
from eldercare.selectors import current_standard, items_of, standard_data
from tests.eldercare.conftest import full_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def std():
    standard = current_standard()
    return standard_data(standard), list(items_of(standard))


def test_the_seeded_standard_has_26_items_in_4_dimensions_totalling_90(std):
    data, items = std
    assert len(items) == 26
    by_dim = {}
    for item in items:
        by_dim[item.dimension.name] = by_dim.get(item.dimension.name, 0) + item.max_score
    assert by_dim == {"自理能力": 32, "基础运动能力": 15, "精神状态": 28, "感知觉与社会参与": 15}
    assert {i.dimension.max_score for i in items if i.dimension.name == "自理能力"} == {32}


@pytest.mark.parametrize(("total", "level"), [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3),
                                              (29, 4), (0, 4)])
def test_preliminary_level_at_every_band_boundary(std, total, level):
    data, items = std
    result = score(data, full_scores(items, total))
    assert result.total == total
    assert result.preliminary_level == level == result.level


def test_dimension_scores_add_up(std):
    data, items = std
    result = score(data, full_scores(items, 80))
    assert sum(result.dimension_scores.values()) == 80
    # the first 10 points are taken off 自理能力's first items
    assert result.dimension_scores["self_care"] == 22


def test_coma_is_level_4_whatever_the_total(std):
    data, items = std
    result = score(data, full_scores(items, 88), coma=True)
    assert (result.preliminary_level, result.level) == (1, 4)


def test_dementia_diagnosis_raises_one_level(std):
    data, items = std
    assert score(data, full_scores(items, 70), diagnoses=["F00.1"]).level == 2
    assert score(data, full_scores(items, 70), diagnoses=["I10"]).level == 1  # hypertension: no change


def test_psychiatric_diagnosis_raises_one_level(std):
    data, _ = std
    assert final_level(data, 0, coma=False, diagnoses=["F32"], risk_events_30d=0)[0] == 1


def test_two_risk_events_raise_one_level_one_does_not(std):
    data, _ = std
    assert final_level(data, 2, coma=False, diagnoses=[], risk_events_30d=2)[0] == 3
    assert final_level(data, 2, coma=False, diagnoses=[], risk_events_30d=1)[0] == 2


def test_both_adjustments_add_two_levels(std):
    data, _ = std
    assert final_level(data, 1, coma=False, diagnoses=["F03"], risk_events_30d=3)[0] == 3


def test_two_adjustments_are_capped_at_4(std):
    data, items = std
    result = score(data, full_scores(items, 40), diagnoses=["F01"], risk_events_30d=2)
    assert (result.preliminary_level, result.level) == (3, 4)
    assert any("上限" in r for r in result.adjustments)

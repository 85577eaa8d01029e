"""POST /api/assessments/ and GET /api/assessments/items/: the contract, 400s naming the item, scope."""

from datetime import date

import pytest

from eldercare.models import Assessment
from eldercare.selectors import assessment_rate_by_community, current_standard, items_of, latest_level
from eldercare.services import reassessment_tasks_create
from tasks.models import Task
from tests.eldercare.conftest import full_scores

pytestmark = pytest.mark.django_db


def body(person, scores, **extra):
    return {"person": person.pk, "date": "2026-11-02", "reason": "first", "items": scores, "diagnoses": [],
            "risk_events_30d": 0, "coma": False, **extra}


@pytest.fixture
def items(elders):
    return list(items_of(current_standard()))


def test_items_lists_the_26_items(client_for, items):
    response = client_for("community_worker").get("/api/assessments/items/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 26
    eating = next(r for r in rows if r["code"] == "eating")
    assert eating == {"code": "eating", "name": "进食", "dimension": "自理能力", "max_score": 4}
    assert next(r for r in rows if r["code"] == "stairs")["max_score"] == 3


def test_post_returns_the_levels(client_for, elders, items, personas):
    payload = body(elders["old_a"], full_scores(items, 60), diagnoses=["F00"],
                   second_assessor=personas["town_officer"].pk)
    response = client_for("community_worker").post("/api/assessments/", payload, format="json")
    assert response.status_code == 201, response.json()
    out = response.json()
    assert (out["total"], out["preliminary_level"], out["level"]) == (60, 2, 3)
    assert out["level_name"] == "能力重度受损（重度失能）"
    assert sum(out["dimension_scores"].values()) == 60
    saved = Assessment.objects.get(pk=out["id"])
    assert saved.assessor == personas["community_worker"] and saved.second_assessor == personas["town_officer"]
    assert saved.next_due == date(2027, 11, 2)  # 12 months, the seeded (unverified) interval
    assert latest_level(elders["old_a"], on=date(2026, 12, 1)) == 3


def test_item_above_its_maximum_is_a_400_naming_it(client_for, elders, items):
    scores = full_scores(items, 90)
    scores["stairs"] = 4
    response = client_for("community_worker").post("/api/assessments/", body(elders["old_a"], scores), format="json")
    assert response.status_code == 400
    assert "stairs" in response.json()
    assert not Assessment.objects.exists()


def test_missing_and_unknown_items_are_named(client_for, elders, items):
    scores = full_scores(items, 90)
    del scores["hearing"]
    scores["flying"] = 1
    response = client_for("community_worker").post("/api/assessments/", body(elders["old_a"], scores), format="json")
    assert response.status_code == 400
    assert {"hearing", "flying"} <= set(response.json())


def test_same_second_assessor_refused(client_for, elders, items, personas):
    payload = body(elders["old_a"], full_scores(items, 90), second_assessor=personas["community_worker"].pk)
    response = client_for("community_worker").post("/api/assessments/", payload, format="json")
    assert response.status_code == 400 and "second_assessor" in response.json()


def test_person_outside_the_area_refused(client_for, elders, items):
    response = client_for("community_worker").post("/api/assessments/", body(elders["old_b"], full_scores(items, 90)),
                                                   format="json")
    assert response.status_code == 400 and "person" in response.json()


def test_rate_by_community_and_reassessment_task(client_for, elders, items, areas):
    client_for("community_worker").post("/api/assessments/", body(elders["old_a"], full_scores(items, 70)),
                                        format="json")
    rates = assessment_rate_by_community(area_prefix="500106", on=date(2026, 12, 1))
    # community A: 钱老 assessed, 孙老 not (周青 is under 60); community B: 吴老 not assessed
    assert rates[areas["community_a"]] == {"older": 2, "assessed": 1, "rate": 0.5}
    assert rates[areas["community_b"]]["assessed"] == 0
    assert reassessment_tasks_create(today=date(2027, 10, 1)) == 0
    assert reassessment_tasks_create(today=date(2027, 11, 2)) == 1
    assert reassessment_tasks_create(today=date(2027, 11, 3)) == 0  # one task per assessment
    task = Task.objects.get(kind="reassessment")
    assert task.person == elders["old_a"] and task.area_id == areas["community_a"]
    assert assessment_rate_by_community(area_prefix="500106", on=date(2027, 11, 3))[areas["community_a"]][
        "assessed"] == 0


def test_entry_page_saves_and_the_report_is_a_pdf(client, elders, items, personas):
    client.force_login(personas["community_worker"])
    page = client.get(f"/eldercare/assessments/new/{elders['old_a'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="dimension"') == 4 and "上下楼梯" in html
    post = {f"item_{code}": str(v) for code, v in full_scores(items, 50).items()}
    post.update(date="2026-11-02", reason="first", second_assessor=str(personas["town_officer"].pk),
                diagnoses="", health_problems="", risk_events_30d="2")
    response = client.post(f"/eldercare/assessments/new/{elders['old_a'].pk}/", post)
    a = Assessment.objects.get()
    assert response.status_code == 302 and (a.total, a.preliminary_level, a.level) == (50, 2, 3)
    detail = client.get(f"/eldercare/assessments/{a.pk}/").content.decode()
    assert "能力重度受损" in detail
    pdf = client.get(f"/eldercare/assessments/{a.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(personas["outsider"])
    assert client.get(f"/eldercare/assessments/{a.pk}/").status_code == 404


def test_entry_page_names_the_item_not_its_code(client, elders, items, personas):
    client.force_login(personas["community_worker"])
    post = {f"item_{code}": str(v) for code, v in full_scores(items, 90).items()}
    post["item_stairs"] = "4"
    post.update(date="2026-11-02", reason="first", second_assessor=str(personas["town_officer"].pk),
                risk_events_30d="0")
    html = client.post(f"/eldercare/assessments/new/{elders['old_a'].pk}/", post).content.decode()
    assert "上下楼梯" in html and "stairs 的" not in html and not Assessment.objects.exists()

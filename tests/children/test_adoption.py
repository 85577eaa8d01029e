"""收养登记: a registration that meets every condition moves the child into the adopter's household and prints the
certificate; each condition of 民法典 Art.1098 and Art.1102 refused on its own, naming the article."""

from datetime import date

import pytest

from children.adoption import adoption_register
from children.documents import certificate_pdf
from children.models import Adoption
from registry.models import HouseholdMember
from tests.assistance_pages.pdftext import pdf_text

pytestmark = pytest.mark.django_db

GOOD = {"basis": "parents_unable", "children_count": 0, "able_to_raise": True, "no_disqualifying_illness": True,
        "no_criminal_record": True, "married": False, "child_consent": True}


@pytest.fixture
def people(families, kids):
    """A child of 10 (born 2016-01-10; sex from the ID number) and a single adopter of the same sex aged 46."""
    _, _, child, _ = kids.child("被收养儿", "20160110")
    return families, child


def _adopter(families, birth: str, *, same_sex_as=None, children: int = 0, sex_of=None):
    """An adopter heading their own household; `children` registered 子女 in it."""
    names = ["收养人"] + [f"子女{i}" for i in range(children)]
    for _ in range(4):  # the test ID numbers alternate sex: take the first head whose sex is what the test needs
        household, people = families.household(names, births=[birth] + ["20100101"] * children)
        head = people[0]
        if sex_of is None or (head.sex == sex_of.sex) == same_sex_as:
            return head
    raise AssertionError("no adopter of the required sex")


def _failed(adoption: Adoption) -> list[str]:
    return [c["article"] for c in adoption.checks if not c["passed"]]


def test_a_registration_moves_the_child_and_prints_the_certificate(people, staff, clock, settings, monkeypatch):
    families, child = people
    adopter = _adopter(families, "19800101", same_sex_as=True, sex_of=child)
    adoption = adoption_register(acting_user=staff["district_officer"], child=child, adopter=adopter,
                                 attestations=GOOD)
    assert adoption.status == "registered", adoption.refusal
    assert adoption.certificate_number.startswith("（2026）收字第500106")
    membership = HouseholdMember.objects.get(person=child, is_active=True)
    assert (membership.household_id, membership.relation) == (adoption.household_id, "child")
    assert HouseholdMember.objects.filter(person=child, is_active=False, left_on=date(2026, 3, 2)).exists()
    from assistance import documents
    settings.MINZHENG_PDF_FONT = ""
    monkeypatch.setattr(documents, "FONT_CANDIDATES", [])
    documents.pdf_font.cache_clear()
    documents.styles.cache_clear()
    try:
        text = pdf_text(certificate_pdf(adoption))
    finally:
        documents.pdf_font.cache_clear()
        documents.styles.cache_clear()
    assert "收养登记证" in text and adoption.certificate_number in text and child.name in text


@pytest.mark.parametrize("change, article", [
    ({"able_to_raise": False}, "第一千零九十八条第二项"),
    ({"no_disqualifying_illness": False}, "第一千零九十八条第三项"),
    ({"no_criminal_record": False}, "第一千零九十八条第四项"),
    ({"children_count": 2}, "第一千零九十八条第一项"),
])
def test_each_attested_condition_of_art_1098_refuses(people, staff, change, article):
    families, child = people
    adopter = _adopter(families, "19800101", same_sex_as=True, sex_of=child)
    adoption = adoption_register(acting_user=staff["district_officer"], child=child, adopter=adopter,
                                 attestations={**GOOD, **change})
    assert adoption.status == "refused"
    assert article in _failed(adoption)
    assert f"不符合《中华人民共和国民法典》{article}" in adoption.refusal
    assert not HouseholdMember.objects.filter(person=child, is_active=True, household__members__person=adopter)\
        .exists()


def test_art_1098_age_30_at_its_boundary(people, staff, clock):
    families, child = people
    clock.set(date(2026, 3, 2))
    young = _adopter(families, "19960303", same_sex_as=True, sex_of=child)  # 30 tomorrow
    refused = adoption_register(acting_user=staff["district_officer"], child=child, adopter=young,
                                attestations=GOOD)
    assert _failed(refused) == ["第一千零九十八条第五项"]
    of_age = _adopter(families, "19960302", same_sex_as=True, sex_of=child)  # 30 today
    assert adoption_register(acting_user=staff["district_officer"], child=child, adopter=of_age,
                             attestations=GOOD).status == "registered"


def test_art_1098_children_counted_from_the_registry(people, staff):
    families, child = people
    adopter = _adopter(families, "19800101", same_sex_as=True, sex_of=child, children=2)
    refused = adoption_register(acting_user=staff["district_officer"], child=child, adopter=adopter,
                                attestations=GOOD)  # declares none; the registry holds two
    assert "第一千零九十八条第一项" in _failed(refused)
    check = next(c for c in refused.checks if c["article"] == "第一千零九十八条第一项")
    assert check["basis"] == "registry"


def test_art_1102_single_adopter_of_the_other_sex(people, staff):
    families, child = people
    # born 1976-01-11: 39 when the child was born on 2016-01-10 — one day short of the 40 years
    short = _adopter(families, "19760111", same_sex_as=False, sex_of=child)
    refused = adoption_register(acting_user=staff["district_officer"], child=child, adopter=short,
                                attestations=GOOD)
    assert _failed(refused) == ["第一千一百零二条"]
    enough = _adopter(families, "19760110", same_sex_as=False, sex_of=child)
    assert adoption_register(acting_user=staff["district_officer"], child=child, adopter=enough,
                             attestations=GOOD).status == "registered"


def test_art_1101_and_1104(people, staff):
    families, child = people
    adopter = _adopter(families, "19800101", same_sex_as=True, sex_of=child)
    refused = adoption_register(acting_user=staff["district_officer"], child=child, adopter=adopter,
                                attestations={**GOOD, "married": True, "child_consent": False})
    assert _failed(refused) == ["第一千一百零一条", "第一千一百零四条"]


def test_art_1100_how_many(people, staff, kids):
    families, child = people
    adopter = _adopter(families, "19700101", same_sex_as=True, sex_of=child)
    assert adoption_register(acting_user=staff["district_officer"], child=child, adopter=adopter,
                             attestations=GOOD).status == "registered"
    second = kids.child("第二个", "20180101")[2]
    second_try = adoption_register(acting_user=staff["district_officer"], child=second, adopter=adopter,
                                   attestations=GOOD)
    # the first adopted child is now a registered 子女: one child, so no second adoption (Art.1098(一) holds)
    assert "第一千一百条" in _failed(second_try)
